import { describe, expect, it } from 'vitest';
import { SingleFlight } from './resync.ts';

describe('one resync at a time', () => {
  it('answers a second request at once while the first runs, then takes the next one', async () => {
    const flight = new SingleFlight<string>();
    let release: () => void = () => undefined;
    const first = flight.run(
      () =>
        new Promise<string>((resolve) => {
          release = () => {
            resolve('first');
          };
        }),
    );
    expect(await flight.run(() => Promise.resolve('second'))).toBeUndefined();
    release();
    expect(await first).toBe('first');
    expect(await flight.run(() => Promise.resolve('third'))).toBe('third');
  });

  it('is free again after a run that failed', async () => {
    const flight = new SingleFlight<string>();
    await expect(flight.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await flight.run(() => Promise.resolve('next'))).toBe('next');
  });
});
