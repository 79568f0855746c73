import { describe, expect, it } from 'vitest';
import { Drain } from './drain.ts';

describe('Drain', () => {
  it('waits for work in flight, refuses more, and aborts its signal', async () => {
    const drain = new Drain();
    let release: () => void = () => undefined;
    const work = drain.track(
      () =>
        new Promise<string>((resolve) => {
          release = () => {
            resolve('done');
          };
        }),
    );
    const stopped = drain.stop(10_000);
    expect(drain.accepting).toBe(false);
    expect(drain.signal.aborted).toBe(true);
    release();
    expect(await work).toBe('done');
    expect(await stopped).toBe(true);
  });

  it('gives up when the grace period runs out', async () => {
    const drain = new Drain();
    void drain.track(() => new Promise(() => undefined));
    expect(await drain.stop(10)).toBe(false);
  });

  it('stops at once when idle', async () => {
    expect(await new Drain().stop(10_000)).toBe(true);
  });
});
