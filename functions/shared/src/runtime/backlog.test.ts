import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backlog, type BacklogOptions } from './backlog.ts';
import { Drain } from './drain.ts';

/** Passes that stay open until the test ends them, with a record of what ran and what was reported. */
function gatedBacklog(options: Partial<BacklogOptions<string, string>> = {}) {
  const open = new Map<string, { finish: (result?: string) => void; fail: (error: Error) => void }>();
  const started: string[] = [];
  const settled: string[] = [];
  const drain = options.drain ?? new Drain();
  const backlog = new Backlog<string, string>({
    work: (key, input, retry) => {
      started.push(`${key}:${input}${retry ? ':retry' : ''}`);
      return new Promise<string>((resolve, reject) => {
        open.set(key, {
          finish: (result = `${input} done`) => {
            resolve(result);
          },
          fail: reject,
        });
      });
    },
    merge: (queued, arriving) => `${queued}+${arriving}`,
    heldByBackoff: (result) => result === 'held',
    settled: (key, input, result) => {
      settled.push(`${key}:${input}:${result instanceof Error ? `failed ${result.message}` : result}`);
    },
    concurrency: 2,
    maxPending: 10,
    holdMs: 50,
    retryDelayMs: (failures) => 1000 * failures,
    drain,
    ...options,
  });
  const end = async (key: string, how: 'finish' | 'fail' | 'held' | 'led' = 'finish') => {
    const pass = open.get(key);
    if (!pass) throw new Error(`no pass of ${key} is running`);
    open.delete(key);
    if (how === 'fail') pass.fail(new Error('API server unavailable'));
    else pass.finish(how === 'finish' ? undefined : how);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { backlog, started, settled, end, drain, running: () => [...open.keys()] };
}

describe('Backlog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers with the result when the pass ends within the hold, and a failure so the source retries it', async () => {
    const { backlog, end, settled } = gatedBacklog();
    const done = backlog.submit('a', 'e1');
    const failed = backlog.submit('b', 'e2');
    await end('a');
    await end('b', 'fail');
    expect(await done).toEqual({ state: 'done', result: 'e1 done' });
    expect(await failed).toMatchObject({ state: 'failed', error: { message: 'API server unavailable' } });
    expect(settled).toEqual(['a:e1:e1 done', 'b:e2:failed API server unavailable']);
    expect(backlog.size).toBe(0);
  });

  it('answers a slow pass as accepted when the hold runs out, and reports it when it ends', async () => {
    const { backlog, end, settled } = gatedBacklog();
    const answer = backlog.submit('a', 'e1');
    await vi.advanceTimersByTimeAsync(50);
    expect(await answer).toEqual({ state: 'accepted' });
    expect(backlog.size).toBe(1);
    expect(settled).toEqual([]);
    await end('a');
    expect(settled).toEqual(['a:e1:e1 done']);
    expect(backlog.size).toBe(0);
  });

  it('runs at most `concurrency` passes and never two for one key; an event for a queued key joins it at once', async () => {
    const { backlog, end, started, running } = gatedBacklog();
    void backlog.submit('a', 'e1');
    void backlog.submit('b', 'e2');
    void backlog.submit('c', 'e3');
    expect(running()).toEqual(['a', 'b']);
    // c waits for a worker: these join its pass and are answered without waiting for it.
    expect(await backlog.submit('c', 'e4')).toEqual({ state: 'accepted' });
    expect(await backlog.submit('c', 'e5')).toEqual({ state: 'accepted' });
    // a runs: its follow-up is queued behind it, even when a worker is free.
    void backlog.submit('a', 'e6');
    await end('b');
    expect(running()).toEqual(['a', 'c']);
    await end('c');
    expect(running()).toEqual(['a']);
    await end('a');
    expect(started).toEqual(['a:e1', 'b:e2', 'c:e3+e4+e5', 'a:e6']);
    await end('a');
    expect(backlog.size).toBe(0);
  });

  it('starts urgent passes before the others queued earlier, each kind in the order it came', async () => {
    // Inputs starting with "own" are urgent: an object's own change, as function-app marks them.
    const { backlog, end, started, running } = gatedBacklog({ urgent: (input) => input.includes('own') });
    void backlog.submit('a', 'child1');
    void backlog.submit('b', 'child2');
    void backlog.submit('c', 'child3');
    void backlog.submit('d', 'own1');
    void backlog.submit('e', 'child4');
    void backlog.submit('f', 'own2');
    // A queued pass an own change joins becomes urgent, in its place in the queue.
    void backlog.submit('e', 'own3');
    expect(running()).toEqual(['a', 'b']);
    for (const key of ['a', 'b', 'd', 'e', 'f', 'c']) await end(key);
    expect(started).toEqual(['a:child1', 'b:child2', 'd:own1', 'e:child4+own3', 'f:own2', 'c:child3']);
    expect(backlog.size).toBe(0);
  });

  it('queues the rest of a pass that did only its urgent part behind the urgent passes, and answers after it', async () => {
    const { backlog, end, started, settled } = gatedBacklog({
      concurrency: 1,
      urgent: (input) => input.includes('own'),
      rest: (result, input) => (result === 'led' ? `${input}-rest` : undefined),
    });
    void backlog.submit('a', 'own1');
    void backlog.submit('b', 'own2');
    await end('a', 'led');
    // The rest of a does not go before b's own change; an event for a that arrives meanwhile joins it.
    void backlog.submit('a', 'child1');
    await end('b');
    await end('a');
    expect(started).toEqual(['a:own1', 'b:own2', 'a:own1-rest+child1']);
    expect(settled).toEqual(['a:own1:led', 'b:own2:own2 done', 'a:own1-rest+child1:own1-rest+child1 done']);
    expect(backlog.size).toBe(0);
  });

  it('answers a request that still waits with the result of the rest, not of the urgent part', async () => {
    const { backlog, end } = gatedBacklog({
      holdMs: 10_000,
      rest: (result, input) => (result === 'led' ? `${input}-rest` : undefined),
    });
    const answer = backlog.submit('a', 'own1');
    await end('a', 'led');
    await end('a');
    expect(await answer).toEqual({ state: 'done', result: 'own1-rest done' });
  });

  it('makes an event wait for room when as many keys as allowed are unfinished', async () => {
    const { backlog, end } = gatedBacklog({ maxPending: 2 });
    void backlog.submit('a', 'e1');
    void backlog.submit('b', 'e2');
    let answered = false;
    const third = backlog.submit('c', 'e3').then((answer) => {
      answered = true;
      return answer;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(answered).toBe(false);
    expect(backlog.size).toBe(2);
    await end('a');
    await vi.advanceTimersByTimeAsync(50);
    expect(await third).toEqual({ state: 'accepted' });
    expect(backlog.size).toBe(2);
  });

  it('retries a pass nobody waits for any more after its backoff, and stops once it succeeds', async () => {
    const { backlog, end, started, settled } = gatedBacklog();
    void backlog.submit('a', 'e1');
    await vi.advanceTimersByTimeAsync(50);
    await end('a', 'fail');
    expect(backlog.size).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toEqual(['a:e1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual(['a:e1', 'a:e1:retry']);
    await end('a', 'fail');
    await vi.advanceTimersByTimeAsync(2000);
    expect(started).toEqual(['a:e1', 'a:e1:retry', 'a:e1:retry']);
    await end('a');
    expect(settled.at(-1)).toBe('a:e1:e1 done');
    expect(backlog.size).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toHaveLength(3);
  });

  it('does not retry a failure the source was told about', async () => {
    const { backlog, end, started } = gatedBacklog();
    const answer = backlog.submit('a', 'e1');
    await end('a', 'fail');
    expect((await answer).state).toBe('failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toEqual(['a:e1']);
    expect(backlog.size).toBe(0);
  });

  it('runs a pass at once for an event about a key waiting out its retry, and keeps the retry when that pass was held by the backoff', async () => {
    const { backlog, end, started } = gatedBacklog();
    void backlog.submit('a', 'e1');
    await vi.advanceTimersByTimeAsync(50);
    await end('a', 'fail');
    await vi.advanceTimersByTimeAsync(100);
    expect(await backlog.submit('a', 'e2')).toEqual({ state: 'accepted' });
    expect(started).toEqual(['a:e1', 'a:e1+e2']);
    await end('a', 'held');
    expect(backlog.size).toBe(1);
    // Still due 1 s after the failure, not 1 s after the held pass.
    await vi.advanceTimersByTimeAsync(899);
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual(['a:e1', 'a:e1+e2', 'a:e1+e2:retry']);
    await end('a');
    expect(backlog.size).toBe(0);
  });

  it('hands a failed pass’s retry to a pass queued for the key meanwhile', async () => {
    const { backlog, end, started } = gatedBacklog();
    void backlog.submit('a', 'e1');
    await vi.advanceTimersByTimeAsync(50);
    void backlog.submit('a', 'e2');
    await end('a', 'fail');
    // e2 runs at once, as its event asked; held by the backoff, the retry comes when it was due.
    expect(started).toEqual(['a:e1', 'a:e2']);
    await end('a', 'held');
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toEqual(['a:e1', 'a:e2', 'a:e2:retry']);
    await end('a');
    expect(backlog.size).toBe(0);
  });

  it('keeps SIGTERM waiting for accepted passes, and leaves retries to the next start', async () => {
    const { backlog, end, drain } = gatedBacklog();
    void backlog.submit('a', 'e1');
    void backlog.submit('b', 'e2');
    await vi.advanceTimersByTimeAsync(50);
    await end('b', 'fail');
    expect(backlog.size).toBe(2);
    let stopped: boolean | undefined;
    void drain.stop(10_000).then((finished) => {
      stopped = finished;
    });
    await vi.advanceTimersByTimeAsync(0);
    // The retry of b is dropped at once; a is still running and holds the shutdown.
    expect(backlog.size).toBe(1);
    expect(stopped).toBeUndefined();
    await end('a');
    expect(stopped).toBe(true);
  });

  it('runs each pass in the context of the event that asked for it, not of the pass that ended before it', async () => {
    const events = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    const { backlog } = gatedBacklog({
      concurrency: 1,
      work: async (key) => {
        seen.push(`${key} in ${events.getStore() ?? 'none'}`);
        await vi.advanceTimersByTimeAsync(0);
        return 'done';
      },
    });
    await Promise.all([
      events.run('event 1', () => backlog.submit('a', 'e1')),
      events.run('event 2', () => backlog.submit('b', 'e2')),
    ]);
    expect(seen).toEqual(['a in event 1', 'b in event 2']);
  });
});
