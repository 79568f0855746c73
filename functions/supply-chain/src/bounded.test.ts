import { describe, expect, it } from 'vitest';
import { mapBounded } from './bounded.ts';

describe('mapBounded', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts nothing after a failure and lets what started finish first', async () => {
    const started: number[] = [];
    let finished = 0;
    await expect(
      mapBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        await new Promise((resolve) => setTimeout(resolve, n === 1 ? 1 : 20));
        finished += 1;
        if (n === 1) throw new Error('first one fails');
        return n;
      }),
    ).rejects.toThrow('first one fails');
    expect(started).toEqual([1, 2]);
    expect(finished).toBe(2);
  });
});
