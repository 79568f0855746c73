import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/index.ts';
import type { ReconcileDriver } from './driver.ts';
import type { ResyncShard } from './events.ts';
import { resync, SingleFlight, type ShardSink } from './resync.ts';

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

/** A list of four pages (continue tokens p2, p3, p4), one object each; only what sending shards reads of a driver. */
function fourPages(): ReconcileDriver {
  const next: Record<string, string | undefined> = { '': 'p2', p2: 'p3', p3: 'p4', p4: undefined };
  const object = (name: string): KubeObject => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name },
  });
  const client = {
    listPage: (_type: unknown, options: { continue?: string }) =>
      Promise.resolve({ items: [object(options.continue ?? 'p1')], continue: next[options.continue ?? ''] }),
  };
  return {
    reconciler: { kind: { kind: 'MCPGServer' } },
    keyFor: (name: string) => ({ apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer', name }),
    context: () => ({ client }),
  } as unknown as ReconcileDriver;
}

/** A sink answering each shard as `answer` says: done, failed, or never. */
function sink(
  answer: (shard: ResyncShard) => boolean | 'never',
): ShardSink & { sent: ResyncShard[]; most: number } {
  let out = 0;
  const recorded = {
    sent: [] as ResyncShard[],
    most: 0,
    send: async (shard: ResyncShard) => {
      recorded.sent.push(shard);
      out += 1;
      recorded.most = Math.max(recorded.most, out);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const done = answer(shard);
      if (done === 'never') return new Promise<boolean>(() => undefined);
      out -= 1;
      return done;
    },
  };
  return recorded;
}

const UNTIL = new Date('2026-12-06T22:00:00Z');

describe('a resync sent as shards', () => {
  const options = (signal: AbortSignal, to: ShardSink) => ({
    now: new Date(),
    concurrency: 4,
    signal,
    sink: to,
    shardsInFlight: 2,
    pageSize: 1,
    until: UNTIL,
  });

  it('sends every page once, two at a time, and is complete when every shard is done', async () => {
    const to = sink(() => true);
    const result = await resync(fourPages(), options(new AbortController().signal, to));
    expect(to.sent.map((s) => s.continue)).toEqual([undefined, 'p2', 'p3', 'p4']);
    expect(
      to.sent.every((s) => s.kind === 'MCPGServer' && s.limit === 1 && s.until === UNTIL.toISOString()),
    ).toBe(true);
    expect(to.most).toBe(2);
    expect(result).toMatchObject({ complete: true, listed: 4, shards: { sent: 4, done: 4 } });
    expect(result.resumeFrom).toBeUndefined();
  });

  it('resumes at the first shard not done, even when later ones were', async () => {
    const to = sink((shard) => shard.continue !== 'p2');
    const result = await resync(fourPages(), options(new AbortController().signal, to));
    expect(result).toMatchObject({ complete: false, resumeFrom: 'p2', shards: { sent: 4, done: 3 } });
  });

  it('stops at its deadline while shards never answer, sending no more and waiting for none', async () => {
    const to = sink((shard) => (shard.continue === undefined ? true : 'never'));
    const result = await resync(fourPages(), options(AbortSignal.timeout(200), to));
    expect(to.sent.map((s) => s.continue)).toEqual([undefined, 'p2', 'p3']);
    expect(result).toMatchObject({ complete: false, resumeFrom: 'p2', shards: { sent: 3, done: 1 } });
  });
});
