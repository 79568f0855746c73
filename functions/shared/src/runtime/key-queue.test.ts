import { describe, expect, it } from 'vitest';
import { KeyQueue } from './key-queue.ts';

/** A pass that stays open until released, recording what ran and when. */
function gatedPasses() {
  const log: string[] = [];
  const gates: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  const pass = async (input: string) => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    log.push(`start ${input}`);
    await new Promise<void>((resolve) => gates.push(resolve));
    active -= 1;
    log.push(`end ${input}`);
    return input;
  };
  const releaseNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { log, pass, releaseNext, maxActive: () => maxActive };
}

describe('KeyQueue', () => {
  it('runs passes for one key one at a time and folds a burst into one follow-up pass', async () => {
    const queue = new KeyQueue<string, string>((queued, arriving) => `${queued}+${arriving}`);
    const { log, pass, releaseNext, maxActive } = gatedPasses();
    const first = queue.run('a', 'e1', pass);
    const burst = ['e2', 'e3', 'e4'].map((e) => queue.run('a', e, pass));
    await releaseNext();
    await releaseNext();
    expect(await first).toBe('e1');
    expect(await Promise.all(burst)).toEqual(['e2+e3+e4', 'e2+e3+e4', 'e2+e3+e4']);
    expect(log).toEqual(['start e1', 'end e1', 'start e2+e3+e4', 'end e2+e3+e4']);
    expect(maxActive()).toBe(1);
    expect(queue.size).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const queue = new KeyQueue<string, string>((a) => a);
    const { pass, releaseNext, maxActive } = gatedPasses();
    const both = Promise.all([queue.run('a', 'a1', pass), queue.run('b', 'b1', pass)]);
    await releaseNext();
    await releaseNext();
    expect(await both).toEqual(['a1', 'b1']);
    expect(maxActive()).toBe(2);
  });

  it('runs the follow-up after a failed pass, and hands each caller its own pass’s outcome', async () => {
    const queue = new KeyQueue<number, number>((a, b) => Math.max(a, b));
    let calls = 0;
    const pass = async (n: number) => {
      calls += 1;
      await new Promise((r) => setImmediate(r));
      if (n === 1) throw new Error('first failed');
      return n;
    };
    const first = queue.run('k', 1, pass);
    const second = queue.run('k', 2, pass);
    await expect(first).rejects.toThrow('first failed');
    expect(await second).toBe(2);
    expect(calls).toBe(2);
    expect(queue.size).toBe(0);
  });
});
