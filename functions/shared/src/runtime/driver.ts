/**
 * The reconcile loop every function shares (controller-runtime's contract): fetch the object, let the kind's
 * code compute its desired children and status, apply what differs, delete children no longer wanted, write
 * status once if it changed, and record Events on condition transitions. Level-based: the same call for every
 * event type, and a pass over an unchanged object makes no write.
 */
import { randomBytes } from 'node:crypto';
import type { Condition, KindDefinition } from '../api/index.ts';
import { API_VERSION } from '../api/index.ts';
import {
  apiStatus,
  describeKey,
  isNotFound,
  keyOf,
  type KubeObject,
  type ObjectClient,
  type ObjectKey,
} from '../kube/index.ts';
import { transitions, type ConditionInput } from './conditions.ts';
import { isTerminal, TransientError, type TerminalError } from './errors.ts';
import type { Logger } from './logger.ts';
import { childSelector, isControlledBy } from './ownership.ts';
import { nextStatus, sameStatus, type StatusFacet, type StatusOf } from './status-merge.ts';
import { isSubset } from './subset.ts';

export interface ChildType {
  apiVersion: string;
  kind: string;
}

export interface ReconcileContext {
  client: ObjectClient;
  now: Date;
  log: Logger;
}

export interface Desired {
  /** Every child the object should have now; children of the listed types not in here are deleted. */
  children: KubeObject[];
  /** Status fields besides conditions and observedGeneration. */
  status: Record<string, unknown>;
  conditions: ConditionInput[];
  /** Set when the object should no longer exist (an idle instance): the driver deletes it and says why. */
  deleteSelf?: { reason: string; message: string };
  /** Children left exactly as they are this pass, neither applied nor pruned (fail-static: a blocked rollout). */
  retained?: ObjectKey[];
}

export interface KindReconciler<O extends KubeObject = KubeObject> {
  kind: KindDefinition;
  /** Child types this function owns: applied, pruned, and mapped back to their parent on events. */
  childTypes: ChildType[];
  /** Keys of our objects affected by a change to some other object (a Secret, a dependency). */
  dependents?: (key: ObjectKey, context: ReconcileContext) => Promise<ObjectKey[]>;
  reconcile: (object: O, context: ReconcileContext) => Promise<Desired>;
  /** Status fields another writer owns (an instance's lastUsedAt, set by gateways): kept as they are. */
  foreignStatusFields?: string[];
  /**
   * Set when another function owns this kind and this reconciler writes only its part of the status (the supply
   * chain's image trust on MCPGServer). Its failures then land in its own condition, never in Ready or the
   * owner's backoff, and a resync does not wait out the owner's backoff.
   */
  statusFacet?: StatusFacet;
  /**
   * Labelled kinds besides the children that every pass lists (a server's pods): a resync lists them once per
   * namespace. Only kinds the function may list; least-privilege RBAC may grant others `get` alone.
   */
  observedTypes?: ChildType[];
  /**
   * Clean-up owner references cannot do (labels on objects we do not own): the driver keeps `name` in each
   * object's finalizers and runs `finalize` once the object is being deleted, before letting it go.
   */
  finalizer?: { name: string; finalize: (object: O, context: ReconcileContext) => Promise<void> };
}

export type Outcome = 'unchanged' | 'updated' | 'gone' | 'failed';

const STATUS_WRITE_ATTEMPTS = 3;
const MAX_BACKOFF_SECONDS = 300;

export class ReconcileDriver<O extends KubeObject = KubeObject> {
  readonly reconciler: KindReconciler<O>;
  private readonly client: ObjectClient;
  private readonly log: Logger;
  private readonly clock: () => Date;

  constructor(
    reconciler: KindReconciler<O>,
    deps: { client: ObjectClient; log: Logger; clock?: () => Date },
  ) {
    this.reconciler = reconciler;
    this.client = deps.client;
    this.log = deps.log;
    this.clock = deps.clock ?? (() => new Date());
  }

  context(): ReconcileContext {
    return { client: this.client, now: this.clock(), log: this.log };
  }

  /** The same driver working through another client (a resync's snapshot reads). */
  withClient(client: ObjectClient): ReconcileDriver<O> {
    return new ReconcileDriver(this.reconciler, { client, log: this.log, clock: this.clock });
  }

  keyFor(name: string, namespace?: string): ObjectKey {
    return { apiVersion: API_VERSION, kind: this.reconciler.kind.kind, name, namespace };
  }

  /** One level-based pass over one object. Throws TransientError for failures worth a retry. */
  async reconcileKey(key: ObjectKey): Promise<Outcome> {
    const found = await this.client.get<O>(key);
    if (!found) return 'gone';
    if (found.metadata.deletionTimestamp) return this.finalize(found);
    let object = found;
    const context = this.context();
    try {
      object = await this.ensureFinalizer(found);
      const desired = await this.reconciler.reconcile(object, context);
      if (desired.deleteSelf) return await this.deleteSelf(object, desired.deleteSelf, context.now);
      const changedChildren = await this.applyChildren(object, desired);
      const changedStatus = await this.writeStatus(object, desired, context.now);
      return changedChildren || changedStatus ? 'updated' : 'unchanged';
    } catch (error) {
      if (isTerminal(error)) {
        await this.recordTerminal(object, error, context.now);
        return 'failed';
      }
      await this.recordFailure(object, error, context.now);
      throw error instanceof TransientError
        ? error
        : new TransientError(`reconciling ${describeKey(key)} failed: ${(error as Error).message}`, {
            cause: error,
          });
    }
  }

  /** A failure no retry can fix (a spec that does not parse): said in Ready, or in the facet's condition. */
  private async recordTerminal(object: O, error: TerminalError, now: Date): Promise<void> {
    const failed: ConditionInput = {
      type: this.reconciler.statusFacet?.condition ?? 'Ready',
      status: 'False',
      reason: error.reason,
      message: error.message,
    };
    await this.writeStatus(object, { children: [], status: {}, conditions: [failed] }, now);
  }

  /** Runs the kind's clean-up for an object being deleted, then removes our finalizer so it can go. */
  private async finalize(object: O): Promise<Outcome> {
    const finalizer = this.reconciler.finalizer;
    const present = object.metadata.finalizers ?? [];
    if (!finalizer || !present.includes(finalizer.name)) return 'gone';
    try {
      await finalizer.finalize(object, this.context());
      await this.setFinalizers(
        object,
        present.filter((f) => f !== finalizer.name),
      );
    } catch (error) {
      throw new TransientError(
        `finalizing ${describeKey(keyOf(object))} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.log.info({ object: describeKey(keyOf(object)) }, 'finalized');
    return 'gone';
  }

  private async ensureFinalizer(object: O): Promise<O> {
    const name = this.reconciler.finalizer?.name;
    const present = object.metadata.finalizers ?? [];
    if (!name || present.includes(name)) return object;
    return this.setFinalizers(object, [...present, name]);
  }

  /** Guarded by resourceVersion: a concurrent writer makes the patch fail (and the pass retry), never loses an entry. */
  private async setFinalizers(object: O, finalizers: string[]): Promise<O> {
    const patched = await this.client.patch<O>(
      keyOf(object),
      [
        { op: 'test', path: '/metadata/resourceVersion', value: object.metadata.resourceVersion },
        { op: 'add', path: '/metadata/finalizers', value: finalizers },
      ],
      'json',
    );
    return { ...patched, apiVersion: object.apiVersion, kind: object.kind };
  }

  private async deleteSelf(object: O, why: { reason: string; message: string }, now: Date): Promise<Outcome> {
    const note = {
      type: 'Ready',
      status: 'False' as const,
      reason: why.reason,
      message: why.message,
      lastTransitionTime: now.toISOString(),
    };
    await this.client.create(eventFor(object, note, now)).catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not record an Event');
    });
    // Only this object: one created again under the same name since it was read is not ours to delete.
    await this.client.delete(keyOf(object), { uid: object.metadata.uid });
    this.log.info({ object: describeKey(keyOf(object)), reason: why.reason }, why.message);
    return 'gone';
  }

  /** Applies children that are missing or drifted; deletes owned children that are no longer wanted. */
  private async applyChildren(parent: O, desired: Desired): Promise<boolean> {
    const { children, retained = [] } = desired;
    let changed = false;
    for (const child of children) {
      const live = await this.client.get(keyOf(child));
      if (live && !isControlledBy(live, parent)) {
        throw new TransientError(
          `${describeKey(keyOf(child))} exists and is not owned by ${describeKey(keyOf(parent))}; rename or remove it`,
        );
      }
      if (live && isSubset(child, live)) continue;
      await this.client.apply(child);
      changed = true;
    }
    // Keyed by namespace too: a cluster-scoped parent has same-named children in several namespaces.
    const childId = (c: ObjectKey) => `${c.kind}/${c.namespace ?? ''}/${c.name}`;
    const wanted = new Set([...children.map(keyOf), ...retained].map(childId));
    for (const type of this.reconciler.childTypes) {
      // A child type whose API is not installed (an optional CRD) has nothing to prune.
      const existing = await this.client
        .list({ ...type, namespace: parent.metadata.namespace }, childSelector(parent))
        .catch((error: unknown) => {
          if (isNotFound(error)) return [];
          throw error;
        });
      for (const stale of existing.filter(
        (c) => isControlledBy(c, parent) && !wanted.has(childId(keyOf(c))),
      )) {
        await this.client.delete(keyOf(stale));
        changed = true;
      }
    }
    return changed;
  }

  /** Writes status once when it changed, with optimistic concurrency: a 409 re-reads and tries again. */
  private async writeStatus(object: O, desired: Desired, now: Date): Promise<boolean> {
    let current: O | undefined = object;
    for (let attempt = 1; current && attempt <= STATUS_WRITE_ATTEMPTS; attempt += 1) {
      const written = await this.tryStatusWrite(current, desired, now);
      if (written !== 'conflict') return written;
      current = await this.client.get<O>(keyOf(current), { fresh: true });
    }
    if (current)
      throw new TransientError(`status of ${describeKey(keyOf(object))} kept conflicting; retrying later`);
    return false;
  }

  private async tryStatusWrite(current: O, desired: Desired, now: Date): Promise<boolean | 'conflict'> {
    const before = (current.status ?? {}) as StatusOf;
    const { foreignStatusFields: foreign = [], statusFacet: facet } = this.reconciler;
    const next = nextStatus(before, desired, {
      now,
      generation: current.metadata.generation,
      foreign,
      facet,
    });
    if (sameStatus(before, next)) return false;
    try {
      // lastReconcileTime is the owner's: a facet's write is not a reconcile of the object.
      await this.client.replaceStatus({
        ...current,
        status: facet ? next : { ...next, lastReconcileTime: now.toISOString() },
      });
    } catch (error) {
      if (apiStatus(error) === 409) return 'conflict';
      // Deleted while we worked: nothing left to report on.
      if (apiStatus(error) === 404) return false;
      throw error;
    }
    await this.recordTransitions(current, before.conditions, next.conditions ?? [], now);
    return true;
  }

  /** A failed pass leaves Ready=False with the reason and a retry time, so one poison object waits its turn. */
  private async recordFailure(object: O, error: unknown, now: Date): Promise<void> {
    const message = (error as Error).message;
    const facet = this.reconciler.statusFacet;
    // A facet's failed check withdraws what it vouched for (fail-closed) and leaves the backoff to the owner.
    const desired: Desired = facet
      ? {
          children: [],
          status: {},
          conditions: [{ type: facet.condition, status: 'Unknown', reason: 'CheckFailed', message }],
        }
      : this.backoff(object, message, now);
    await this.writeStatus(object, desired, now).catch((statusError: unknown) => {
      this.log.warn(
        { object: describeKey(keyOf(object)), err: statusError },
        'could not record the failure in status',
      );
    });
  }

  private backoff(object: O, message: string, now: Date): Desired {
    const before = (object.status ?? {}) as StatusOf;
    const failures = (typeof before.failureCount === 'number' ? before.failureCount : 0) + 1;
    const delay = Math.min(MAX_BACKOFF_SECONDS, 5 * 2 ** Math.min(failures - 1, 6));
    return {
      children: [],
      status: { failureCount: failures, nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() },
      conditions: [{ type: 'Ready', status: 'False', reason: 'ReconcileFailed', message }],
    };
  }

  private async recordTransitions(
    object: O,
    before: Condition[] | undefined,
    after: Condition[],
    now: Date,
  ): Promise<void> {
    for (const condition of transitions(before, after)) {
      await this.client.create(eventFor(object, condition, now)).catch((error: unknown) => {
        this.log.warn({ err: error }, 'could not record an Event');
      });
    }
  }
}

/** `<object>.<suffix>`, within the 253 characters of a name: a long object name is cut, never the suffix. */
export function eventName(objectName: string, suffix: string): string {
  const room = 253 - suffix.length - 1;
  return `${objectName.slice(0, room).replace(/[-.]+$/, '')}.${suffix}`;
}

function eventFor(object: KubeObject, condition: Condition, now: Date): KubeObject {
  const warning = condition.status === 'False' && condition.type === 'Ready';
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: eventName(object.metadata.name, `${now.getTime().toString(36)}${randomBytes(3).toString('hex')}`),
      namespace: object.metadata.namespace ?? 'default',
    },
    eventTime: now.toISOString().replace('Z', '000Z'),
    reportingController: 'mcpg.dev/mcpg-functions',
    reportingInstance: 'mcpg-functions',
    action: 'Reconcile',
    reason: condition.reason,
    note: `${condition.type} is ${condition.status}${condition.message ? `: ${condition.message}` : ''}`.slice(
      0,
      1024,
    ),
    type: warning ? 'Warning' : 'Normal',
    regarding: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
    },
  };
}
