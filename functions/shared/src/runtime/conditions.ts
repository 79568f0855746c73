/** metav1.Condition bookkeeping: one entry per type, lastTransitionTime kept while the status stays the same. */
import type { Condition } from '../api/index.ts';

export type ConditionInput = Pick<Condition, 'type' | 'status' | 'reason'> & { message?: string | undefined };

export function mergeConditions(
  current: readonly Condition[] | undefined,
  updates: readonly ConditionInput[],
  context: { now: Date; generation: number | undefined },
): Condition[] {
  const merged = new Map((current ?? []).map((c) => [c.type, c]));
  for (const update of updates) {
    const previous = merged.get(update.type);
    const changed = previous?.status !== update.status;
    merged.set(update.type, {
      type: update.type,
      status: update.status,
      reason: update.reason,
      ...(update.message ? { message: update.message } : {}),
      lastTransitionTime: changed ? context.now.toISOString() : previous.lastTransitionTime,
      ...(context.generation !== undefined ? { observedGeneration: context.generation } : {}),
    });
  }
  return [...merged.values()];
}

/** Conditions whose status differs between two lists (for Events on transitions). */
export function transitions(
  before: readonly Condition[] | undefined,
  after: readonly Condition[],
): Condition[] {
  const old = new Map((before ?? []).map((c) => [c.type, c.status]));
  return after.filter((c) => old.get(c.type) !== c.status);
}
