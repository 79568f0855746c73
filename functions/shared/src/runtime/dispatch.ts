/**
 * From a poke to the objects to reconcile: our own kind maps to itself, a child to its controlling parent, any
 * other object to the dependents the kind declares; a ping lists everything (all pages) and reconciles it with
 * bounded concurrency, skipping objects still backing off after a failure.
 */
import { describeKey, type KubeObject, type ObjectKey } from '../kube/index.ts';
import { withSpan } from '../tracing/index.ts';
import type { ReconcileDriver, Outcome } from './driver.ts';
import type { Poke } from './events.ts';
import { parentLabel } from './ownership.ts';

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
    const parent = parentOf(reconciler.kind.kind, await childMetadata(poke, driver));
    return parent ? [driver.keyFor(parent, key.namespace)] : [];
  }
  return reconciler.dependents ? reconciler.dependents(key, driver.context()) : [];
}

type ChildMetadata = Pick<Poke & { kind: 'object' }, 'ownerReferences' | 'labels'>;

/**
 * Who a child belongs to, from the event itself, or, for a Reference-mode event (ConfigMaps and Secrets are only
 * ever sent by reference, without metadata), from the child read back. A child already gone is left to the
 * parent's next pass.
 */
async function childMetadata<O extends KubeObject>(
  poke: Poke & { kind: 'object' },
  driver: ReconcileDriver<O>,
): Promise<ChildMetadata> {
  if (poke.ownerReferences.length > 0 || Object.keys(poke.labels).length > 0) return poke;
  const child = await driver.context().client.get(poke.key);
  return { ownerReferences: child?.metadata.ownerReferences ?? [], labels: child?.metadata.labels ?? {} };
}

function parentOf(kind: string, child: ChildMetadata): string | undefined {
  const owner = child.ownerReferences.find((ref) => ref.controller && ref.kind === kind);
  return owner?.name ?? child.labels[parentLabel(kind)];
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
