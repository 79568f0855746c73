/**
 * When a failed object is tried again. A transient failure backs off exponentially (5 s to 5 min); a terminal
 * failure that waits for a spec change is looked at again only after an hour, in case what blocked it (a Service
 * of the same name owned by someone else) went away without any event reaching us. Until then, events for the
 * object itself and resyncs leave it alone unless its generation moved; events about what it depends on still
 * run a pass.
 */
import type { KubeObject } from '../kube/index.ts';
import type { StatusOf } from './status-merge.ts';

const FIRST_DELAY_SECONDS = 5;
export const MAX_BACKOFF_SECONDS = 300;
export const SPEC_WAIT_RECHECK_SECONDS = 3600;

export interface FailureRecord {
  failureCount: number;
  nextAttemptAt: string;
}

/** How long to wait after the n-th transient failure in a row. */
export function backoffSeconds(failures: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, FIRST_DELAY_SECONDS * 2 ** Math.min(Math.max(failures, 1) - 1, 6));
}

export function nextFailure(before: StatusOf, now: Date, wait: 'backoff' | 'spec'): FailureRecord {
  const failures = (typeof before.failureCount === 'number' ? before.failureCount : 0) + 1;
  const delay = wait === 'spec' ? SPEC_WAIT_RECHECK_SECONDS : backoffSeconds(failures);
  return { failureCount: failures, nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() };
}

/** Whether the object is waiting out a failure: its spec is the one that failed and its next attempt is later. */
export function isBackingOff(object: KubeObject, now: Date): boolean {
  const status = (object.status ?? {}) as StatusOf;
  const next = typeof status.nextAttemptAt === 'string' ? Date.parse(status.nextAttemptAt) : NaN;
  if (Number.isNaN(next) || next <= now.getTime()) return false;
  return status.observedGeneration === object.metadata.generation;
}
