/**
 * From a poke to the objects to reconcile: our own kind maps to itself, a child to its controlling parent, any
 * other object to the dependents the kind declares; a ping lists everything (all pages) and reconciles it with
 * bounded concurrency, skipping objects still backing off after a failure.
 */
import { describeKey, type KubeObject, type ObjectKey } from '../kube/index.ts';
import { withSpan } from '../tracing/index.ts';
import type { ReconcileDriver, Outcome } from './driver.ts';
import type { Poke } from './events.ts';
import { controllerOf, parentLabel } from './ownership.ts';

export interface DispatchResult {
  reconciled: { key: ObjectKey; outcome: Outcome }[];
  /** Objects whose pass failed; their failure is recorded in their status. */
  failed: { key: ObjectKey; error: Error }[];
}

export async function keysFor<O extends KubeObject>(
  poke: Poke & { kind: 'object' },
  driver: ReconcileDriver<O>,
): Promise<ObjectKey[]> {
  const { key } = poke;
  const reconciler = driver.reconciler;
  if (key.kind === reconciler.kind.kind && key.apiVersion.startsWith('mcpg.dev/'))
    return [driver.keyFor(key.name, key.namespace)];
  if (reconciler.childTypes.some((t) => t.kind === key.kind && t.apiVersion === key.apiVersion)) {
    if (poke.ownerReferences.length === 0 && Object.keys(poke.labels).length === 0) {
      // A Reference-mode event (ConfigMaps and Secrets are only sent so) carries no metadata: read the child.
      // One already gone is restored at its parent's next pass.
      const owner = await controllerOf(key, reconciler.kind.kind, driver.context().client);
      return owner ? [driver.keyFor(owner.name, key.namespace)] : [];
    }
    const owner = poke.ownerReferences.find((ref) => ref.controller && ref.kind === reconciler.kind.kind);
    if (owner) return [driver.keyFor(owner.name, key.namespace)];
    const labelled = poke.labels[parentLabel(reconciler.kind.kind)];
    return labelled ? [driver.keyFor(labelled, key.namespace)] : [];
  }
  return reconciler.dependents ? reconciler.dependents(key, driver.context()) : [];
}

export async function reconcileAll<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  keys: ObjectKey[],
  concurrency: number,
): Promise<DispatchResult> {
  const result: DispatchResult = { reconciled: [], failed: [] };
  const queue = [...keys];
  const worker = async () => {
    for (let key = queue.shift(); key; key = queue.shift()) {
      try {
        const outcome = await withSpan(
          `reconcile ${key.kind}`,
          { 'mcpg.object': describeKey(key) },
          async (span) => {
            const done = await driver.reconcileKey(key);
            span.setAttribute('mcpg.outcome', done);
            return done;
          },
        );
        result.reconciled.push({ key, outcome });
      } catch (error) {
        result.failed.push({ key, error: error as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return result;
}

/**
 * A resync: every object of the kind, minus those still waiting out a failure backoff (unless their spec
 * changed), reconciled through one snapshot of reads (kube/snapshot.ts), so an unchanged fleet costs a few
 * lists per namespace instead of several requests per object.
 */
export async function resync<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  now: Date,
  concurrency: number,
): Promise<DispatchResult> {
  const client = driver.context().client;
  const objects = await client.list<
    KubeObject & { status?: { nextAttemptAt?: string; observedGeneration?: number } }
  >({ apiVersion: driver.keyFor('').apiVersion, kind: driver.reconciler.kind.kind });
  // The backoff belongs to the kind's owner; a status facet checks every object.
  const facet = driver.reconciler.statusFacet !== undefined;
  const due = objects.filter((o) => {
    const next = o.status?.nextAttemptAt;
    if (facet) return true;
    const specChanged = o.status?.observedGeneration !== o.metadata.generation;
    return specChanged || !next || Date.parse(next) <= now.getTime();
  });
  const keys = due.map((o) => driver.keyFor(o.metadata.name, o.metadata.namespace));
  return reconcileAll(
    driver.withClient(
      client.forResync(due, [...driver.reconciler.childTypes, ...(driver.reconciler.observedTypes ?? [])]),
    ),
    keys,
    concurrency,
  );
}

export function summarize(result: DispatchResult): string {
  const failed = result.failed.map((f) => describeKey(f.key)).join(', ');
  return `${result.reconciled.length} reconciled, ${result.failed.length} failed${failed ? ` (${failed})` : ''}`;
}
