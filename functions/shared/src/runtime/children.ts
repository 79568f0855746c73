/**
 * Bringing an object's children to what its kind computed: every wanted child is read first, and a name held by
 * an object we do not control stops the pass before anything is written (nothing half-applied); then children
 * that are missing or drifted are applied with server-side apply, and children we control but no longer want
 * are deleted.
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

/** Fails terminally when a wanted child's name is taken by an object we do not control. */
async function liveChildren(
  client: ObjectClient,
  parent: KubeObject,
  children: KubeObject[],
): Promise<(KubeObject | undefined)[]> {
  const live: (KubeObject | undefined)[] = [];
  for (const child of children) {
    const found = await client.get(keyOf(child));
    if (found && !isControlledBy(found, parent)) {
      const key = keyOf(child);
      throw new TerminalError(
        CHILD_NOT_OWNED,
        `${describeKey(key)} already exists and belongs to ${holder(found)}, so ${describeKey(keyOf(parent))} cannot use the name; rename one of them or delete that ${key.kind}`,
        { waitsFor: 'spec' },
      );
    }
    live.push(found);
  }
  return live;
}

async function applyOne(client: ObjectClient, child: KubeObject): Promise<void> {
  try {
    await client.apply(child);
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

/** Deletes children of the listed types that the parent controls and no longer wants. */
async function pruneChildren(
  client: ObjectClient,
  parent: KubeObject,
  wanted: ObjectKey[],
  childTypes: ChildType[],
): Promise<boolean> {
  // Keyed by namespace too: a cluster-scoped parent has same-named children in several namespaces.
  const childId = (c: ObjectKey) => `${c.kind}/${c.namespace ?? ''}/${c.name}`;
  const keep = new Set(wanted.map(childId));
  let changed = false;
  for (const type of childTypes) {
    // A child type whose API is not installed (an optional CRD) has nothing to prune.
    const existing = await client
      .list({ ...type, namespace: parent.metadata.namespace }, childSelector(parent))
      .catch((error: unknown) => {
        if (isNotFound(error)) return [];
        throw error;
      });
    for (const stale of existing.filter((c) => isControlledBy(c, parent) && !keep.has(childId(keyOf(c))))) {
      await client.delete(keyOf(stale));
      changed = true;
    }
  }
  return changed;
}

/** Applies children that are missing or drifted, deletes unwanted ones; true when anything was written. */
export async function reconcileChildren(
  client: ObjectClient,
  parent: KubeObject,
  desired: Desired,
  childTypes: ChildType[],
): Promise<boolean> {
  const { children, retained = [] } = desired;
  const live = await liveChildren(client, parent, children);
  let changed = false;
  for (const [index, child] of children.entries()) {
    const current = live[index];
    if (current && isSubset(child, current)) continue;
    await applyOne(client, child);
    changed = true;
  }
  const pruned = await pruneChildren(client, parent, [...children.map(keyOf), ...retained], childTypes);
  return changed || pruned;
}
