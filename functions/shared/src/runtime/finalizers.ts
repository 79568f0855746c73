/**
 * The kind's finalizer, for clean-up owner references cannot do: kept in the object's finalizers while it
 * lives, run once it is being deleted, then removed so the object can go.
 */
import { describeKey, keyOf, type KubeObject, type ObjectClient } from '../kube/index.ts';
import type { KindReconciler, ReconcileContext } from './driver.ts';
import { TransientError } from './errors.ts';

type Finalizer<O extends KubeObject> = KindReconciler<O>['finalizer'];

/** Guarded by resourceVersion: a concurrent writer makes the patch fail (and the pass retry), never loses an entry. */
async function setFinalizers<O extends KubeObject>(
  client: ObjectClient,
  object: O,
  finalizers: string[],
): Promise<O> {
  const patched = await client.patch<O>(
    keyOf(object),
    [
      { op: 'test', path: '/metadata/resourceVersion', value: object.metadata.resourceVersion },
      { op: 'add', path: '/metadata/finalizers', value: finalizers },
    ],
    'json',
  );
  return { ...patched, apiVersion: object.apiVersion, kind: object.kind };
}

/** The object with our finalizer in place (unchanged, without a write, when it already is). */
export async function ensureFinalizer<O extends KubeObject>(
  finalizer: Finalizer<O>,
  object: O,
  client: ObjectClient,
): Promise<O> {
  const present = object.metadata.finalizers ?? [];
  if (!finalizer || present.includes(finalizer.name)) return object;
  return setFinalizers(client, object, [...present, finalizer.name]);
}

/** Runs the kind's clean-up for an object being deleted, then removes our finalizer so it can go. */
export async function finalize<O extends KubeObject>(
  finalizer: Finalizer<O>,
  object: O,
  context: ReconcileContext,
): Promise<void> {
  const present = object.metadata.finalizers ?? [];
  if (!finalizer || !present.includes(finalizer.name)) return;
  try {
    await finalizer.finalize(object, context);
    await setFinalizers(
      context.client,
      object,
      present.filter((f) => f !== finalizer.name),
    );
  } catch (error) {
    throw new TransientError(`finalizing ${describeKey(keyOf(object))} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  context.log.info({ object: describeKey(keyOf(object)) }, 'finalized');
}
