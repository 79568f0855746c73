/**
 * The status a pass writes, from the status it read and what the kind's code computed. A kind's owner writes the
 * whole status (keeping the fields another writer owns); a facet (another function's part of the same status,
 * such as the supply chain's image trust on MCPGServer) writes only its own fields and condition and leaves
 * everything else, observedGeneration and the failure backoff included, to the owner.
 */
import type { Condition } from '../api/index.ts';
import { mergeConditions, type ConditionInput } from './conditions.ts';
import { isSubset } from './subset.ts';

export type StatusOf = { conditions?: Condition[]; observedGeneration?: number } & Record<string, unknown>;

/** The part of a status one function writes when another function owns the rest. */
export interface StatusFacet {
  /** Status fields the facet sets; one it leaves out of a pass is removed. */
  fields: string[];
  /** The facet's one condition; left out of a pass, it is removed (the check no longer applies). */
  condition: string;
}

export interface StatusUpdate {
  status: Record<string, unknown>;
  conditions: ConditionInput[];
}

export interface MergeContext {
  now: Date;
  generation: number | undefined;
  /** Fields another writer owns, kept as they are (owner passes only). */
  foreign: readonly string[];
  facet?: StatusFacet | undefined;
}

function ownerStatus(before: StatusOf, update: StatusUpdate, context: MergeContext): StatusOf {
  const next: StatusOf = { ...update.status, observedGeneration: context.generation };
  for (const field of context.foreign) {
    if (before[field] !== undefined) next[field] = before[field];
  }
  // A successful pass clears the failure bookkeeping; a failure pass sets it (it is in update.status).
  if (update.status.failureCount === undefined) {
    delete next.failureCount;
    delete next.nextAttemptAt;
  }
  next.conditions = mergeConditions(before.conditions, update.conditions, context);
  return next;
}

function facetStatus(
  before: StatusOf,
  update: StatusUpdate,
  facet: StatusFacet,
  context: MergeContext,
): StatusOf {
  const next: StatusOf = Object.fromEntries(
    Object.entries(before).filter(([field]) => !facet.fields.includes(field)),
  );
  for (const field of facet.fields) {
    if (update.status[field] !== undefined) next[field] = update.status[field];
  }
  const mine = update.conditions.filter((c) => c.type === facet.condition);
  const kept = (before.conditions ?? []).filter((c) => c.type !== facet.condition || mine.length > 0);
  next.conditions = mergeConditions(kept, mine, context);
  if (next.conditions.length === 0) delete next.conditions;
  return next;
}

export function nextStatus(before: StatusOf, update: StatusUpdate, context: MergeContext): StatusOf {
  return context.facet
    ? facetStatus(before, update, context.facet, context)
    : ownerStatus(before, update, context);
}

/** Equal apart from lastReconcileTime, which changes only together with something else. */
export function sameStatus(before: StatusOf, next: StatusOf): boolean {
  const rest = { ...before };
  delete rest.lastReconcileTime;
  const candidate = { ...next };
  delete candidate.lastReconcileTime;
  return isSubset(candidate, rest) && isSubset(rest, candidate);
}
