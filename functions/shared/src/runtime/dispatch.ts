/**
 * From a poke to the objects to reconcile: our own kind maps to itself, a child to its controlling parent, any
 * other object to the dependents the kind declares; then the passes, with bounded concurrency.
 */
import { describeKey, type KubeObject, type ObjectKey } from '../kube/index.ts';
import { withSpan } from '../tracing/index.ts';
import type { ReconcileDriver, Outcome, Trigger } from './driver.ts';
import type { Poke } from './events.ts';
import { controllerOf, parentLabel } from './ownership.ts';

export interface DispatchResult {
  reconciled: { key: ObjectKey; outcome: Outcome }[];
  /** Objects whose pass failed; their failure is recorded in their status. */
  failed: { key: ObjectKey; error: Error }[];
}

/**
 * The objects one event asks to reconcile, and why: the object itself, or something it depends on. `held` are
 * objects the event brings nothing new to (it names a version of them, or of their child, that a pass has
 * already seen): answered without a pass.
 */
export interface Targets {
  keys: ObjectKey[];
  trigger: Trigger;
  held?: ObjectKey[];
}

export async function targetsFor<O extends KubeObject>(
  poke: Poke & { kind: 'object' },
  driver: ReconcileDriver<O>,
): Promise<Targets> {
  const { key } = poke;
  const reconciler = driver.reconciler;
  const seen = driver.hasSeen(key, poke.resourceVersion);
  if (key.kind === reconciler.kind.kind && key.apiVersion.startsWith('mcpg.dev/')) {
    const self = driver.keyFor(key.name, key.namespace);
    return seen ? { keys: [], trigger: 'self', held: [self] } : { keys: [self], trigger: 'self' };
  }
  const keys = await relatedKeys(poke, driver);
  // A child's version seen by its parent's pass; a dependency may matter to objects whose passes never read it.
  if (seen && isChild(key, driver)) return { keys: [], trigger: 'related', held: keys };
  return { keys, trigger: 'related' };
}

function isChild<O extends KubeObject>(key: ObjectKey, driver: ReconcileDriver<O>): boolean {
  return driver.reconciler.childTypes.some((t) => t.kind === key.kind && t.apiVersion === key.apiVersion);
}

async function relatedKeys<O extends KubeObject>(
  poke: Poke & { kind: 'object' },
  driver: ReconcileDriver<O>,
): Promise<ObjectKey[]> {
  const { key } = poke;
  const reconciler = driver.reconciler;
  if (isChild(key, driver)) {
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

/** Reconciles the targets, `concurrency` at a time; once `signal` aborts, no further pass starts. */
export async function reconcileAll<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  { keys, trigger, held = [] }: Targets,
  options: { concurrency: number; signal?: AbortSignal | undefined },
): Promise<DispatchResult> {
  const result: DispatchResult = { reconciled: held.map((key) => ({ key, outcome: 'held' })), failed: [] };
  const queue = [...keys];
  const next = () => (options.signal?.aborted ? undefined : queue.shift());
  const worker = async () => {
    for (let key = next(); key; key = next()) {
      try {
        result.reconciled.push({ key, outcome: await reconcileOne(driver, key, trigger) });
      } catch (error) {
        result.failed.push({ key, error: error as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return result;
}

/** One object's pass, in a span of its own. */
export function reconcileOne<O extends KubeObject>(
  driver: ReconcileDriver<O>,
  key: ObjectKey,
  trigger: Trigger,
): Promise<Outcome> {
  return withSpan(`reconcile ${key.kind}`, { 'mcpg.object': describeKey(key) }, async (span) => {
    const done = await driver.reconcileKey(key, trigger);
    span.setAttribute('mcpg.outcome', done);
    return done;
  });
}

export function summarize(result: DispatchResult): string {
  const failed = result.failed.map((f) => describeKey(f.key)).join(', ');
  return `${result.reconciled.length} reconciled, ${result.failed.length} failed${failed ? ` (${failed})` : ''}`;
}
