/**
 * A resync (a PingSource event): every object of the kind, page by page, minus those waiting out a failure
 * backoff (unless their spec changed), reconciled with bounded concurrency through a snapshot of reads per page
 * (kube/snapshot.ts), so an unchanged fleet costs a few lists per page instead of several requests per object,
 * and memory holds one page of objects and their children at a time.
 *
 * Each page is a shard. Without a shard sink the process that took the ping works through them itself, one
 * after the other. With one (resync-shards.ts), the ping only walks the list and sends each page, as a shard
 * event, to the function's own address: Knative hands them to whichever replica has room, each shard is a
 * request of its own (its own timeout, its own retries), and a shard that fails is sent again without running
 * the others again.
 *
 * A deadline bounds the whole resync: once it passes (or the function is shutting down), no further pass or
 * shard starts, and the next ping resumes at the first page not done (or starts over when the API server has
 * forgotten that list), so a fleet too large for one deadline is still covered, over several pings.
 */
import { apiStatus, type KubeObject, type ObjectClient } from '../kube/index.ts';
import { isBackingOff } from './backoff.ts';
import { reconcileAll, type DispatchResult } from './dispatch.ts';
import type { ReconcileDriver } from './driver.ts';
import type { ResyncShard } from './events.ts';
import { labelValue, parentLabel } from './ownership.ts';

export const RESYNC_PAGE_SIZE = 500;

/** Where a resync's pages go when they are not worked through here: `send` resolves true once one is done. */
export interface ShardSink {
  send: (shard: ResyncShard, signal: AbortSignal) => Promise<boolean>;
}

export interface ResyncOptions {
  now: Date;
  /** Passes at once per page; kept small, within what API Priority and Fairness gives one client by default. */
  concurrency: number;
  /** Aborts at the deadline, or when the function shuts down. */
  signal: AbortSignal;
  pageSize?: number;
  /** Where an earlier, unfinished resync stopped (its `resumeFrom`). */
  from?: string | undefined;
  /** Sends the pages as shards instead of working through them here, `shardsInFlight` at a time. */
  sink?: ShardSink | undefined;
  shardsInFlight?: number;
  /** When `signal` aborts for the deadline: the shards carry it, so none outlives the resync that sent it. */
  until?: Date | undefined;
}

export interface ResyncResult extends DispatchResult {
  /** False when the deadline (or a shutdown) stopped it before every object had its pass. */
  complete: boolean;
  /** Objects listed, including those skipped while backing off. */
  listed: number;
  /** When unfinished: the page to resume at. */
  resumeFrom?: string | undefined;
  /** Shards sent to the sink, and how many of them were done. */
  shards?: { sent: number; done: number };
}

type Page = { items: KubeObject[]; continue: string | undefined; from: string | undefined };

export async function resync<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  options: ResyncOptions,
): Promise<ResyncResult> {
  if (options.sink) return sendShards(driver, options, options.sink);
  const result: ResyncResult = { reconciled: [], failed: [], complete: false, listed: 0 };
  let token = options.from;
  do {
    result.resumeFrom = token;
    if (options.signal.aborted) return result;
    const page = await firstOrResumed(driver, token, options.pageSize ?? RESYNC_PAGE_SIZE);
    result.listed += page.items.length;
    const done = await reconcilePage(driver, page.items, options);
    result.reconciled.push(...done.reconciled);
    result.failed.push(...done.failed);
    if (!done.complete) return result;
    token = page.continue;
  } while (token);
  result.complete = true;
  result.resumeFrom = undefined;
  return result;
}

/**
 * A shard event: the page it names, listed again (a shard may be taken by any replica), then reconciled, until
 * `signal` aborts or the deadline of the resync that sent it passes, whichever comes first: a resync cut short
 * is resumed by the next ping, which must not find its pages still being worked on.
 */
export async function reconcileShard<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  shard: ResyncShard,
  window: Pick<ResyncOptions, 'now' | 'concurrency' | 'signal'>,
): Promise<ResyncResult> {
  const left = shard.until === undefined ? undefined : Date.parse(shard.until) - Date.now();
  if (left !== undefined && left <= 0) return { reconciled: [], failed: [], complete: false, listed: 0 };
  const signal =
    left === undefined ? window.signal : AbortSignal.any([window.signal, AbortSignal.timeout(left)]);
  const options = { ...window, signal };
  const page = await driver
    .context()
    .client.listPage(kindOf(driver), { continue: shard.continue, limit: shard.limit });
  const done = await reconcilePage(driver, page.items, options);
  return { ...done, listed: page.items.length };
}

/** One page's passes through a snapshot of that page's reads; complete unless the signal stopped it. */
async function reconcilePage<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  items: KubeObject[],
  options: Pick<ResyncOptions, 'now' | 'concurrency' | 'signal'>,
): Promise<DispatchResult & { complete: boolean }> {
  const reconciler = driver.reconciler;
  const type = kindOf(driver);
  // The backoff belongs to the kind's owner; a status facet checks every object.
  const facet = reconciler.statusFacet !== undefined;
  const due = items.filter((o) => facet || !isBackingOff(o, options.now));
  if (due.length === 0) return { reconciled: [], failed: [], complete: !options.signal.aborted };
  const watched = [...reconciler.childTypes, ...(reconciler.observedTypes ?? [])];
  const parents = { key: parentLabel(type.kind), values: due.map((o) => labelValue(o.metadata.name)) };
  const keys = due.map((o) => driver.keyFor(o.metadata.name, o.metadata.namespace));
  const client = driver.context().client;
  const done = await reconcileAll(
    driver.withClient(client.forResync(due, watched, parents)),
    { keys, trigger: 'resync' },
    { concurrency: options.concurrency, signal: options.signal },
  );
  return { ...done, complete: done.reconciled.length + done.failed.length === keys.length };
}

/**
 * Walks the list and sends each page as a shard, `shardsInFlight` at a time, until every one is done or the
 * signal stops it; shards still out then are left to finish on their own, and the next ping starts again at the
 * first page not known to be done.
 */
async function sendShards<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  options: ResyncOptions,
  sink: ShardSink,
): Promise<ResyncResult> {
  const limit = options.pageSize ?? RESYNC_PAGE_SIZE;
  const { signal } = options;
  const until = options.until?.toISOString();
  const sent: { from: string | undefined; done: boolean }[] = [];
  const running = new Set<Promise<void>>();
  const stopped = abortion(signal);
  let listed = 0;
  let token = options.from;
  do {
    // Once stopped, no slot is waited for: the shards out may never answer.
    const slots = Math.max(1, options.shardsInFlight ?? 1);
    while (running.size >= slots && !signal.aborted) await Promise.race([...running, stopped]);
    if (signal.aborted) break;
    const page = await firstOrResumed(driver, token, limit);
    listed += page.items.length;
    const shard = { from: page.from, done: false };
    sent.push(shard);
    const sending = sink
      .send({ kind: driver.reconciler.kind.kind, continue: page.from, limit, until }, signal)
      .catch(() => false)
      .then((done) => {
        shard.done = done;
        running.delete(sending);
      });
    running.add(sending);
    token = page.continue;
  } while (token);
  await Promise.race([Promise.all(running), stopped]);
  return { ...summary(sent, token), listed };
}

/** Resolves once `signal` aborts (at once when it has). */
function abortion(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

/** Complete when every shard was done and the list ended; otherwise where to resume: the first one not done. */
function summary(
  sent: { from: string | undefined; done: boolean }[],
  next: string | undefined,
): Omit<ResyncResult, 'listed'> {
  const undone = sent.find((s) => !s.done);
  const complete = !undone && next === undefined;
  return {
    reconciled: [],
    failed: [],
    complete,
    resumeFrom: complete ? undefined : undone ? undone.from : next,
    shards: { sent: sent.length, done: sent.filter((s) => s.done).length },
  };
}

function kindOf<O extends KubeObject>(driver: ReconcileDriver<O>): { apiVersion: string; kind: string } {
  return { apiVersion: driver.keyFor('').apiVersion, kind: driver.reconciler.kind.kind };
}

/** A page of the list; a resume token the API server has expired (410 Gone) starts the list over. */
async function firstOrResumed<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  token: string | undefined,
  limit: number,
): Promise<Page> {
  const client: ObjectClient = driver.context().client;
  const type = kindOf(driver);
  try {
    return { ...(await client.listPage(type, { continue: token, limit })), from: token };
  } catch (error) {
    if (token === undefined || apiStatus(error) !== 410) throw error;
    return { ...(await client.listPage(type, { limit })), from: undefined };
  }
}

/**
 * At most one resync at a time in a process: a ping that arrives while one runs is answered at once, since the
 * running one already covers it and the schedule sends another.
 */
export class SingleFlight<R> {
  private running: Promise<R> | undefined;

  /** Runs `work` unless a run is in progress; then resolves undefined without running it. */
  async run(work: () => Promise<R>): Promise<R | undefined> {
    if (this.running) return undefined;
    this.running = work();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
