/**
 * The one status write of a pass, through the status subresource, only when the status changed. Optimistic
 * concurrency: the write carries the resourceVersion the pass read, and a 409 re-reads and tries again. The
 * status is stamped with the generation the pass computed it from: when the re-read shows a newer spec, the
 * computed status describes a spec that no longer exists, so it is not written at all and the pass for the new
 * generation (its update event, or the next resync, which picks up any object whose observedGeneration lags)
 * reports instead. Nothing is ever marked verified or resolved for a spec the pass did not read.
 *
 * A write records a Kubernetes Event when the summary condition (Ready, or a facet's own condition) changes
 * status, or when a failure is reported: what a user watching `kubectl get events` needs, not one per pass.
 */
import type { Condition } from '../api/index.ts';
import { apiStatus, describeKey, keyOf, type KubeObject, type ObjectClient } from '../kube/index.ts';
import { transitions } from './conditions.ts';
import { TransientError } from './errors.ts';
import { recordEvent } from './kube-events.ts';
import type { Logger } from './logger.ts';
import {
  nextStatus,
  sameStatus,
  type StatusFacet,
  type StatusOf,
  type StatusUpdate,
} from './status-merge.ts';
import type { SeenVersions } from './seen-versions.ts';

const WRITE_ATTEMPTS = 3;

/** `conflict`: someone else wrote the object since the pass read it, and the write was not retried. */
export type StatusWriteResult = 'written' | 'unchanged' | 'superseded' | 'conflict';

export interface WriteOptions {
  /** Re-read and write again after a conflict (a pass that read live); otherwise report it. */
  retryConflicts?: boolean;
  /** The update reports a failure: its condition is announced by an Event even when only its reason moved. */
  failure?: boolean;
}

export interface StatusWriterOptions {
  client: ObjectClient;
  log: Logger;
  /** Fields another writer owns, kept as they are. */
  foreign: readonly string[];
  facet: StatusFacet | undefined;
  seen: SeenVersions;
}

export class StatusWriter {
  private readonly options: StatusWriterOptions;

  constructor(options: StatusWriterOptions) {
    this.options = options;
  }

  /** Writes the status computed from `object` (as the pass read it), when it differs from the live one. */
  async write(
    object: KubeObject,
    update: StatusUpdate,
    now: Date,
    options: WriteOptions = {},
  ): Promise<StatusWriteResult> {
    const computedFrom = object.metadata.generation;
    let current = object;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      // Only a write over the object the pass read is exactly what this pass computed: after a conflict, another
      // writer's change (a status facet) may make the update stale, so its own event must still run a pass.
      const result = await this.tryWrite(current, update, {
        now,
        generation: computedFrom,
        remember: current === object,
        failure: options.failure ?? false,
      });
      if (result !== 'conflict' || options.retryConflicts === false) return result;
      const fresh = await this.options.client.get(keyOf(current), { fresh: true });
      // Deleted while we worked: nothing left to report on.
      if (!fresh) return 'unchanged';
      if (fresh.metadata.generation !== computedFrom) return 'superseded';
      current = fresh;
    }
    throw new TransientError(`status of ${describeKey(keyOf(object))} kept conflicting; retrying later`);
  }

  private async tryWrite(
    current: KubeObject,
    update: StatusUpdate,
    stamp: { now: Date; generation: number | undefined; remember: boolean; failure: boolean },
  ): Promise<StatusWriteResult> {
    const { client, foreign, facet } = this.options;
    const before = (current.status ?? {}) as StatusOf;
    const next = nextStatus(before, update, { now: stamp.now, generation: stamp.generation, foreign, facet });
    if (sameStatus(before, next)) return 'unchanged';
    let stored: KubeObject;
    try {
      // lastReconcileTime is the owner's: a facet's write is not a reconcile of the object.
      stored = await client.replaceStatus({
        ...current,
        status: facet ? next : { ...next, lastReconcileTime: stamp.now.toISOString() },
      });
    } catch (error) {
      if (apiStatus(error) === 409) return 'conflict';
      if (apiStatus(error) === 404) return 'unchanged';
      throw error;
    }
    if (stamp.remember)
      this.options.seen.remember({ ...stored, apiVersion: current.apiVersion, kind: current.kind });
    this.announce(current, { before: before.conditions, after: next.conditions ?? [] }, stamp);
    return 'written';
  }

  private announce(
    object: KubeObject,
    conditions: { before: Condition[] | undefined; after: Condition[] },
    stamp: { now: Date; failure: boolean },
  ): void {
    const summary = this.options.facet?.condition ?? 'Ready';
    const condition = announcement(conditions.before, conditions.after, { summary, failure: stamp.failure });
    // Not waited for: an Event is best effort, and the event source waits for the pass to answer.
    if (condition)
      void recordEvent(this.options.client, this.options.log, { object, condition, now: stamp.now });
  }
}

/**
 * The condition a status write announces with an Event, if any: the summary condition when its status changed,
 * or when a failure is reported with another reason or message than the one already shown.
 */
export function announcement(
  before: readonly Condition[] | undefined,
  after: readonly Condition[],
  rule: { summary: string; failure: boolean },
): Condition | undefined {
  const summary = after.find((c) => c.type === rule.summary);
  if (!summary) return undefined;
  if (transitions(before, [summary]).length > 0) return summary;
  const previous = before?.find((c) => c.type === rule.summary);
  const moved = previous?.reason !== summary.reason || previous.message !== summary.message;
  return rule.failure && moved ? summary : undefined;
}
