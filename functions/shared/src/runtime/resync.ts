/**
 * A resync (a PingSource event): every object of the kind, page by page, minus those waiting out a failure
 * backoff (unless their spec changed), reconciled with bounded concurrency through a snapshot of reads per page
 * (kube/snapshot.ts), so an unchanged fleet costs a few lists per page instead of several requests per object,
 * and memory holds one page of objects and their children at a time. A deadline bounds the whole resync: once
 * it passes (or the function is shutting down), no further pass starts, and the next ping resumes at the page
 * where it stopped (or starts over when the API server has forgotten that list), so a fleet too large for one
 * deadline is still covered, over several pings.
 */
import { apiStatus, type KubeObject, type ObjectClient } from '../kube/index.ts';
import { isBackingOff } from './backoff.ts';
import { reconcileAll, type DispatchResult } from './dispatch.ts';
import type { ReconcileDriver } from './driver.ts';
import { labelValue, parentLabel } from './ownership.ts';

export const RESYNC_PAGE_SIZE = 500;

export interface ResyncOptions {
  now: Date;
  /** Passes at once; kept small, within what API Priority and Fairness gives one client by default. */
  concurrency: number;
  /** Aborts at the deadline, or when the function shuts down. */
  signal: AbortSignal;
  pageSize?: number;
  /** Where an earlier, unfinished resync stopped (its `resumeFrom`). */
  from?: string | undefined;
}

export interface ResyncResult extends DispatchResult {
  /** False when the deadline (or a shutdown) stopped it before every object had its pass. */
  complete: boolean;
  /** Objects listed, including those skipped while backing off. */
  listed: number;
  /** When unfinished: the page to resume at. */
  resumeFrom?: string | undefined;
}

export async function resync<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  options: ResyncOptions,
): Promise<ResyncResult> {
  const client = driver.context().client;
  const reconciler = driver.reconciler;
  const type = { apiVersion: driver.keyFor('').apiVersion, kind: reconciler.kind.kind };
  const watched = [...reconciler.childTypes, ...(reconciler.observedTypes ?? [])];
  // The backoff belongs to the kind's owner; a status facet checks every object.
  const facet = reconciler.statusFacet !== undefined;
  const result: ResyncResult = { reconciled: [], failed: [], complete: false, listed: 0 };
  let token = options.from;
  do {
    result.resumeFrom = token;
    if (options.signal.aborted) return result;
    const page = await firstOrResumed(client, type, token, options.pageSize ?? RESYNC_PAGE_SIZE);
    result.listed += page.items.length;
    const due = page.items.filter((o) => facet || !isBackingOff(o, options.now));
    if (due.length > 0) {
      const parents = { key: parentLabel(type.kind), values: due.map((o) => labelValue(o.metadata.name)) };
      const keys = due.map((o) => driver.keyFor(o.metadata.name, o.metadata.namespace));
      const done = await reconcileAll(
        driver.withClient(client.forResync(due, watched, parents)),
        { keys, trigger: 'resync' },
        { concurrency: options.concurrency, signal: options.signal },
      );
      result.reconciled.push(...done.reconciled);
      result.failed.push(...done.failed);
      if (done.reconciled.length + done.failed.length < keys.length) return result;
    }
    token = page.continue;
  } while (token);
  result.complete = true;
  result.resumeFrom = undefined;
  return result;
}

/** A page of the list; a resume token the API server has expired (410 Gone) starts the list over. */
async function firstOrResumed(
  client: ObjectClient,
  type: { apiVersion: string; kind: string },
  token: string | undefined,
  limit: number,
) {
  try {
    return await client.listPage(type, { continue: token, limit });
  } catch (error) {
    if (token === undefined || apiStatus(error) !== 410) throw error;
    return client.listPage(type, { limit });
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
