/**
 * Bringing an object's children to what its kind computed: every wanted child is read first, and a name held by
 * an object we do not control stops the pass before anything is written (nothing half-applied); then children
 * that are missing or drifted are applied with server-side apply, and children we control but no longer want
 * are deleted. Reads, applies and deletes each go out together: the children are independent of one another.
 */
import {
  apiStatus,
  describeKey,
  isNotFound,
  keyOf,
  type KubeObject,
  type ObjectClient,
  type ObjectKey,
} from '../kube/index.ts';
import type { ChildType, Desired } from './driver.ts';
import { TerminalError } from './errors.ts';
import { childSelector, isControlledBy } from './ownership.ts';
import { isSubset } from './subset.ts';

export const CHILD_NOT_OWNED = 'ChildNotOwned';
export const CHILD_REJECTED = 'ChildRejected';

function holder(live: KubeObject): string {
  const controller = live.metadata.ownerReferences?.find((ref) => ref.controller);
  return controller ? `${controller.kind} ${controller.name}` : 'no MCPG object';
}

/** What a pass must write to bring the children to what its kind computed, and what it read to know it. */
export interface ChildPlan {
  /** Wanted children that are missing or drifted. */
  apply: KubeObject[];
  /** Children the parent controls and no longer wants. */
  prune: KubeObject[];
  /** The children as they are now (the wanted ones that exist, and those to prune). */
  seen: KubeObject[];
}

/** Fails terminally when a wanted child's name is taken by an object we do not control. */
async function liveChildren(
  client: ObjectClient,
  parent: KubeObject,
  children: KubeObject[],
): Promise<(KubeObject | undefined)[]> {
  const live = await Promise.all(children.map((child) => client.get(keyOf(child))));
  for (const [index, found] of live.entries()) {
    if (!found || isControlledBy(found, parent)) continue;
    const key = keyOf(children[index] as KubeObject);
    throw new TerminalError(
      CHILD_NOT_OWNED,
      `${describeKey(key)} already exists and belongs to ${holder(found)}, so ${describeKey(keyOf(parent))} cannot use the name; rename one of them or delete that ${key.kind}`,
      { waitsFor: 'spec' },
    );
  }
  return live;
}

async function applyOne(client: ObjectClient, child: KubeObject): Promise<KubeObject> {
  try {
    return await client.apply(child);
  } catch (error) {
    // The API server refusing a child (an invalid name, a value its schema rejects) will refuse it again.
    if (apiStatus(error) !== 422) throw error;
    throw new TerminalError(
      CHILD_REJECTED,
      `the API server refused ${describeKey(keyOf(child))}: ${(error as Error).message}`,
      { waitsFor: 'spec', cause: error },
    );
  }
}

/** Children of the listed types that the parent controls and no longer wants. */
async function unwanted(
  client: ObjectClient,
  parent: KubeObject,
  wanted: ObjectKey[],
  childTypes: ChildType[],
): Promise<KubeObject[]> {
  // Keyed by namespace too: a cluster-scoped parent has same-named children in several namespaces.
  const childId = (c: ObjectKey) => `${c.kind}/${c.namespace ?? ''}/${c.name}`;
  const keep = new Set(wanted.map(childId));
  const existing = await Promise.all(
    childTypes.map((type) =>
      // A child type whose API is not installed (an optional CRD) has nothing to prune.
      client
        .list({ ...type, namespace: parent.metadata.namespace }, childSelector(parent))
        .catch((error: unknown) => {
          if (isNotFound(error)) return [];
          throw error;
        }),
    ),
  );
  return existing.flat().filter((c) => isControlledBy(c, parent) && !keep.has(childId(keyOf(c))));
}

/** Reads the children and says what to write; writes nothing (a name held by someone else stops it first). */
export async function planChildren(
  client: ObjectClient,
  parent: KubeObject,
  desired: Desired,
  childTypes: ChildType[],
): Promise<ChildPlan> {
  const { children, retained = [] } = desired;
  const [live, prune] = await Promise.all([
    liveChildren(client, parent, children),
    unwanted(client, parent, [...children.map(keyOf), ...retained], childTypes),
  ]);
  const apply = children.filter((child, index) => {
    const current = live[index];
    return !current || !isSubset(child, current);
  });
  const seen = [...live.filter((c): c is KubeObject => c !== undefined), ...prune];
  return { apply, prune, seen };
}

/**
 * Sends the reads of the wanted children now, beside the kind's own reads of what runs, so that the plan which
 * follows the kind's reconcile finds them in memory (kube/known-objects.ts) instead of waiting for a round trip
 * of its own. A read that fails here is sent again by the plan, which reports it.
 */
export async function readChildrenAhead(client: ObjectClient, children: KubeObject[]): Promise<void> {
  await Promise.all(children.map((child) => client.get(keyOf(child)).catch(() => undefined)));
}

/** The children that do not exist yet (a name held by an object we do not control stops it). */
export async function missingChildren(
  client: ObjectClient,
  parent: KubeObject,
  children: KubeObject[],
): Promise<KubeObject[]> {
  const live = await liveChildren(client, parent, children);
  return children.filter((_, index) => live[index] === undefined);
}

export function writesNothing(plan: ChildPlan): boolean {
  return plan.apply.length === 0 && plan.prune.length === 0;
}

/** Applies the missing and drifted children, deletes the unwanted ones; the applied children as stored. */
export async function writeChildren(client: ObjectClient, plan: ChildPlan): Promise<KubeObject[]> {
  const [applied] = await Promise.all([
    Promise.all(plan.apply.map((child) => applyOne(client, child))),
    Promise.all(plan.prune.map((stale) => client.delete(keyOf(stale)))),
  ]);
  return applied;
}
