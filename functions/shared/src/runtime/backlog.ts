/**
 * Passes accepted from events and worked through in the background, so that a burst does not wait for each
 * pass in turn. Knative's ApiServerSource sends the events of one watch one at a time, each waiting for its
 * answer: answering only once the pass is done makes 200 creations 200 passes in a row. Here a request waits
 * for its pass at most `holdMs`; by then it is answered with the pass's result (204, or 503 for a failure the
 * source retries) or, the pass still queued or running, as accepted, and the pass goes on here. Passes the caller calls urgent (an object's own change, which someone waits for) start
 * before the others (a child's status moving), in the order they came. A pass that did only the urgent part of
 * its work (an object's workload, before its Service and status) queues the rest of it behind them.
 *
 * One entry per key: an event for a key whose pass has not started yet joins that pass (it reads the latest
 * state anyway) and is answered at once; one for a key whose pass runs queues a single follow-up. At most
 * `concurrency` passes run at once, and at most `maxPending` keys are accepted and unfinished: when that many
 * are, a request waits for room rather than memory growing. A pass that fails after its request stopped waiting
 * is retried here, after the backoff of backoff.ts, since no source will send it again; an event that arrives
 * meanwhile runs a pass at once (it may be what fixes the object), and when that pass was held because the
 * object still waits out its failure, the retry stays due when it was. Each entry is work in
 * flight for the Drain, so SIGTERM finishes what was accepted; retries still waiting then are left to the
 * next start's resync.
 */
import { AsyncResource } from 'node:async_hooks';
import { backoffSeconds } from './backoff.ts';
import type { Drain } from './drain.ts';

export type Answer<R> =
  | { state: 'done'; result: R }
  | { state: 'failed'; error: Error }
  /** Not finished within the hold: the pass goes on here, and is retried here should it fail. */
  | { state: 'accepted' };

export interface BacklogOptions<T, R> {
  /** One pass over a key; `retry` says it is the backlog's own retry of a failed one, due now. */
  work: (key: string, input: T, retry: boolean) => Promise<R>;
  /** Whether a result says the pass did not run because the object still waits out its failure. */
  heldByBackoff: (result: R) => boolean;
  /** Folds the input of an event that joins a pass not yet started into that pass's input. */
  merge: (queued: T, arriving: T) => T;
  /** Whether a pass goes ahead of those not urgent; asked when a worker is free, so a merged input counts. */
  urgent?: (input: T) => boolean;
  /**
   * For a pass that did only the urgent part of its work, the input of the pass that does the rest: queued
   * behind the urgent passes, and whoever waits for the first waits for it too.
   */
  rest?: (result: R, input: T) => T | undefined;
  /** Called as each pass ends, whoever still waits for it: where its outcome is counted and logged. */
  settled: (key: string, input: T, result: R | Error, durationMs: number) => void;
  concurrency: number;
  maxPending: number;
  holdMs: number;
  drain: Drain;
  /** Milliseconds before the n-th retry of a key (the runtime's backoff unless given). */
  retryDelayMs?: (failures: number) => number;
}

interface Entry<T, R> {
  key: string;
  input: T;
  failures: number;
  /** When a failed pass of the key is due again (Date.now() time); unset while none failed. */
  retryAt?: number;
  /** Some request stopped waiting for this pass: its failure is retried here. */
  orphaned: boolean;
  attempt: Deferred<Answer<R>>;
  finished: Deferred<void>;
  /** Runs the pass in the context of the event that asked for it (its trace), whichever pass ended before. */
  inContext: <V>(pass: () => V) => V;
  retryTimer?: NodeJS.Timeout;
}

interface Deferred<V> {
  promise: Promise<V>;
  resolve: (value: V) => void;
}

function deferred<V>(): Deferred<V> {
  let resolve: (value: V) => void = () => undefined;
  const promise = new Promise<V>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class Backlog<T, R> {
  private readonly options: BacklogOptions<T, R>;
  private readonly retryDelayMs: (failures: number) => number;
  /** Accepted and not started: waiting for a worker, for the key's running pass, or for a retry. */
  private readonly waiting = new Map<string, Entry<T, R>>();
  private readonly ready: Entry<T, R>[] = [];
  private readonly running = new Set<string>();
  private unfinished = 0;
  private readonly roomWaiters: (() => void)[] = [];

  constructor(options: BacklogOptions<T, R>) {
    this.options = options;
    this.retryDelayMs = options.retryDelayMs ?? ((failures) => backoffSeconds(failures) * 1000);
    options.drain.signal.addEventListener('abort', () => {
      this.dropRetries();
    });
  }

  /** Keys accepted and not yet finished (queued, running, or waiting to be retried). */
  get size(): number {
    return this.unfinished;
  }

  async submit(key: string, input: T): Promise<Answer<R>> {
    for (;;) {
      const queued = this.waiting.get(key);
      if (queued) {
        queued.input = this.options.merge(queued.input, input);
        queued.orphaned = true;
        if (queued.retryTimer) this.runAgain(queued);
        return { state: 'accepted' };
      }
      if (this.unfinished < this.options.maxPending) break;
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    const entry: Entry<T, R> = {
      key,
      input,
      failures: 0,
      orphaned: false,
      attempt: deferred(),
      finished: deferred(),
      inContext: AsyncResource.bind(<V>(pass: () => V): V => pass()),
    };
    this.unfinished += 1;
    void this.options.drain.track(() => entry.finished.promise);
    this.waiting.set(key, entry);
    this.ready.push(entry);
    this.pump();
    return this.hold(entry);
  }

  private async hold(entry: Entry<T, R>): Promise<Answer<R>> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<Answer<R>>((resolve) => {
      timer = setTimeout(() => {
        entry.orphaned = true;
        resolve({ state: 'accepted' });
      }, this.options.holdMs);
    });
    const answer = await Promise.race([entry.attempt.promise, expired]);
    clearTimeout(timer);
    return answer;
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency) {
      const index = this.nextReady();
      if (index < 0) return;
      const [entry] = this.ready.splice(index, 1) as [Entry<T, R>];
      this.waiting.delete(entry.key);
      this.running.add(entry.key);
      void this.run(entry);
    }
  }

  /** The first urgent entry whose key has no pass running, else the first such entry; -1 when none. */
  private nextReady(): number {
    const urgent = this.options.urgent;
    let first = -1;
    for (const [index, entry] of this.ready.entries()) {
      if (this.running.has(entry.key)) continue;
      if (!urgent || urgent(entry.input)) return index;
      if (first < 0) first = index;
    }
    return first;
  }

  private async run(entry: Entry<T, R>): Promise<void> {
    const { key, input } = entry;
    const started = performance.now();
    const due = entry.retryAt !== undefined && Date.now() >= entry.retryAt;
    const result = await entry
      .inContext(() => this.options.work(key, input, due))
      .catch((error: unknown) => error as Error);
    this.running.delete(key);
    this.options.settled(key, input, result, performance.now() - started);
    const attempt = entry.attempt;
    const rest = result instanceof Error ? undefined : this.options.rest?.(result, input);
    if (rest !== undefined) {
      this.queueRest(entry, rest);
    } else {
      this.after(entry, result, due);
      attempt.resolve(
        result instanceof Error ? { state: 'failed', error: result } : { state: 'done', result },
      );
    }
    this.pump();
  }

  /** The rest of a pass queues as the key's entry; events that arrive meanwhile join it. */
  private queueRest(entry: Entry<T, R>, input: T): void {
    entry.input = input;
    this.waiting.set(entry.key, entry);
    this.ready.push(entry);
  }

  /** What becomes of an entry once its pass ended: it waits for a retry, or it is finished. */
  private after(entry: Entry<T, R>, result: R | Error, due: boolean): void {
    if (this.options.drain.signal.aborted) {
      this.finish(entry);
    } else if (result instanceof Error) {
      if (entry.orphaned) this.retryLater(entry);
      else this.finish(entry);
    } else if (!due && entry.retryAt !== undefined && this.options.heldByBackoff(result)) {
      // An early pass the object's backoff held: the retry is still owed.
      this.waitForRetry(entry);
    } else {
      this.finish(entry);
    }
  }

  /**
   * A failed pass nobody waits for any more is due again after its backoff; a pass already queued for the key
   * takes that over (it runs at once, as the event that queued it asked).
   */
  private retryLater(entry: Entry<T, R>): void {
    const failures = entry.failures + 1;
    const retryAt = Date.now() + this.retryDelayMs(failures);
    const newer = this.waiting.get(entry.key);
    if (newer) {
      newer.failures = failures;
      newer.retryAt = retryAt;
      newer.orphaned = true;
      this.finish(entry);
      return;
    }
    entry.failures = failures;
    entry.retryAt = retryAt;
    this.waitForRetry(entry);
  }

  private waitForRetry(entry: Entry<T, R>): void {
    entry.orphaned = false;
    entry.attempt = deferred();
    this.waiting.set(entry.key, entry);
    entry.retryTimer = setTimeout(
      () => {
        this.runAgain(entry);
      },
      Math.max(0, (entry.retryAt ?? 0) - Date.now()),
    );
  }

  /** Its retry is due, or an event arrived for a key waiting for one (it may be what fixes the object). */
  private runAgain(entry: Entry<T, R>): void {
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    entry.orphaned = true;
    this.ready.push(entry);
    this.pump();
  }

  private finish(entry: Entry<T, R>): void {
    this.unfinished -= 1;
    entry.finished.resolve();
    this.roomWaiters.shift()?.();
  }

  /** On shutdown: what waits for a retry is not run again here; the next start's resync covers it. */
  private dropRetries(): void {
    for (const entry of [...this.waiting.values()]) {
      if (!entry.retryTimer) continue;
      clearTimeout(entry.retryTimer);
      this.waiting.delete(entry.key);
      entry.attempt.resolve({ state: 'accepted' });
      this.finish(entry);
    }
  }
}
