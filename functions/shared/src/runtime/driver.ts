/**
 * The reconcile loop every function shares, in controller-runtime's order: fetch the object (finalize it when
 * it is being deleted, or leave it be while it waits out a failure), let the kind's code compute its desired
 * children and status, apply the children (children.ts), report status once if it changed (status-writer.ts),
 * and on failure record when to try again (backoff.ts). Level-based: the same pass for every event type, a
 * pass over an unchanged object writes nothing, and passes for one object never overlap in a process
 * (key-queue.ts). A pass for an object's own change that finds its lead children (the workload) missing creates
 * only those and leaves the rest to a pass its caller queues behind other objects' first passes.
 *
 * Reads come from memory while it is current (kube/known-objects.ts), and memory is trusted only to find that
 * nothing needs writing: a pass that would write anything from an object it did not read live this pass runs
 * again reading live (another instance of the function may have changed what this one remembers).
 */
import type { KindDefinition } from '../api/index.ts';
import { API_VERSION } from '../api/index.ts';
import { describeKey, keyOf, type KubeObject, type ObjectClient, type ObjectKey } from '../kube/index.ts';
import { isBackingOff, nextFailure } from './backoff.ts';
import { missingChildren, planChildren, writeChildren, writesNothing } from './children.ts';
import type { ConditionInput } from './conditions.ts';
import { isTerminal, TransientError, type TerminalError } from './errors.ts';
import { ensureFinalizer, finalize } from './finalizers.ts';
import { KeyQueue } from './key-queue.ts';
import { recordEvent } from './kube-events.ts';
import type { Logger } from './logger.ts';
import type { StatusFacet, StatusOf, StatusUpdate } from './status-merge.ts';
import { SeenVersions } from './seen-versions.ts';
import { StatusWriter, type StatusWriteResult } from './status-writer.ts';

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
  /**
   * Child types the user waits for (a server's Deployment). An object's own change that finds one of these
   * children missing creates just those and ends 'led'; the rest of the pass (other children, status, Events)
   * is asked for again behind every other object's own change. In a burst of creations every object's workload
   * then exists before any object's Service, status or Event is written.
   */
  leadChildTypes?: ChildType[];
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

/**
 * What a pass did: `held` means it did not run (the object waits out a failure, or is exactly what our last
 * write left); `superseded` means the spec changed under it, so its status was not written; `led` means it
 * created the object's missing lead children and nothing else: whoever asked for it asks for a `related` pass
 * to do the rest.
 */
export type Outcome = 'unchanged' | 'updated' | 'gone' | 'failed' | 'held' | 'superseded' | 'led';

/**
 * Why a pass was asked for. `self`: an event about the object itself; `related`: an event about something it
 * depends on (a child, a Secret, a referenced object), which always runs a pass; `resync`: a periodic check;
 * `retry`: the function's own retry of a pass that failed after its event was answered (backlog.ts), which
 * runs even while the object backs off, since the retry's schedule is itself the backoff.
 */
export type Trigger = 'self' | 'related' | 'resync' | 'retry';

/** From the trigger that lets a pass be held most readily to the one that always runs it. */
const TRIGGER_STRENGTH: readonly Trigger[] = ['self', 'resync', 'retry', 'related'];

/** A pass that several requests joined runs for the most demanding of them. */
export function strongerTrigger(a: Trigger, b: Trigger): Trigger {
  return TRIGGER_STRENGTH.indexOf(a) >= TRIGGER_STRENGTH.indexOf(b) ? a : b;
}

/** What drivers made from one another (withClient) share: the per-object queue and the versions passes saw. */
interface SharedState {
  queue: KeyQueue<Trigger, Outcome>;
  seen: SeenVersions;
}

/** A pass that answered from memory found something to write: it runs again, reading live. */
class ReadLiveFirst extends Error {}

export class ReconcileDriver<O extends KubeObject = KubeObject> {
  readonly reconciler: KindReconciler<O>;
  private readonly client: ObjectClient;
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly shared: SharedState;
  private readonly status: StatusWriter;

  constructor(
    reconciler: KindReconciler<O>,
    deps: { client: ObjectClient; log: Logger; clock?: () => Date },
    shared: SharedState = { queue: new KeyQueue(strongerTrigger), seen: new SeenVersions() },
  ) {
    this.reconciler = reconciler;
    this.client = deps.client;
    this.log = deps.log;
    this.clock = deps.clock ?? (() => new Date());
    this.shared = shared;
    this.status = new StatusWriter({
      client: this.client,
      log: this.log,
      foreign: reconciler.foreignStatusFields ?? [],
      facet: reconciler.statusFacet,
      seen: shared.seen,
    });
  }

  context(client: ObjectClient = this.client): ReconcileContext {
    return { client, now: this.clock(), log: this.log };
  }

  /** Whether a pass over the object (or its parent, for a child) has already seen it at this version. */
  hasSeen(key: ObjectKey, resourceVersion: string | undefined): boolean {
    return this.shared.seen.hasSeen(key, resourceVersion);
  }

  /** The same driver working through another client (a resync's snapshot reads). */
  withClient(client: ObjectClient): ReconcileDriver<O> {
    return new ReconcileDriver(this.reconciler, { client, log: this.log, clock: this.clock }, this.shared);
  }

  keyFor(name: string, namespace?: string): ObjectKey {
    return { apiVersion: API_VERSION, kind: this.reconciler.kind.kind, name, namespace };
  }

  /**
   * One level-based pass over one object, queued behind any pass for it already running in this process. A
   * `self` pass may end `led` (see leadChildTypes). Throws TransientError for failures worth a retry.
   */
  reconcileKey(key: ObjectKey, trigger: Trigger = 'related'): Promise<Outcome> {
    return this.shared.queue.run(describeKey(key), trigger, (why) => this.pass(key, why));
  }

  /** Whether this object waits: backing off from a failure, or exactly as a pass over it last saw it. */
  private waits(object: O, trigger: Trigger, now: Date): boolean {
    if (trigger === 'related' || trigger === 'retry') return false;
    if (trigger === 'self' && this.shared.seen.hasSeen(keyOf(object), object.metadata.resourceVersion))
      return true;
    // The backoff belongs to the kind's owner; a status facet checks every object.
    return !this.reconciler.statusFacet && isBackingOff(object, now);
  }

  private async pass(key: ObjectKey, trigger: Trigger): Promise<Outcome> {
    try {
      return await this.passWith(this.client, key, trigger);
    } catch (error) {
      if (!(error instanceof ReadLiveFirst)) throw error;
      return this.passWith(this.client.live(), key, trigger);
    }
  }

  /**
   * A pass through memory writes only what it found live: anything to write from a remembered object, a status
   * conflict, or a failure (which must not be recorded from a stale copy) runs the pass again, reading live.
   */
  private async passWith(client: ObjectClient, key: ObjectKey, trigger: Trigger): Promise<Outcome> {
    const remembered = client.holds(key);
    const found = await client.get<O>(key);
    if (!found) return 'gone';
    const context = this.context(client);
    if (found.metadata.deletionTimestamp) {
      if (remembered) throw new ReadLiveFirst();
      await finalize(this.reconciler.finalizer, found, context);
      return 'gone';
    }
    if (this.waits(found, trigger, context.now)) return 'held';
    try {
      return await this.work(found, context, { remembered, lead: trigger === 'self' });
    } catch (error) {
      // Whatever memory holds of it, the next pass reads it live, and the next event about it runs one (the
      // pass that runs again at once included, which must not take this one's reading for a finished pass).
      this.shared.seen.forget(key);
      if (error instanceof ReadLiveFirst || client !== client.live()) throw new ReadLiveFirst();
      client.forget(key);
      return this.failed(found, error, context.now);
    }
  }

  private async work(
    found: O,
    context: ReconcileContext,
    { remembered, lead }: { remembered: boolean; lead: boolean },
  ): Promise<Outcome> {
    const { client } = context;
    // Anything written starts from an object read live in this pass.
    const writing = () => {
      if (remembered) throw new ReadLiveFirst();
    };
    if (lacksFinalizer(this.reconciler.finalizer, found)) writing();
    const object = await ensureFinalizer(this.reconciler.finalizer, found, client);
    this.shared.seen.remember(object);
    const desired = await this.reconciler.reconcile(object, context);
    if (desired.deleteSelf) {
      writing();
      return this.deleteSelf(object, desired.deleteSelf, context.now);
    }
    if (lead && (await this.createLeads(object, desired, client, writing))) return 'led';
    return this.converge(object, desired, context, writing);
  }

  /** Applies and prunes the children, then writes status if it changed. */
  private async converge(
    object: O,
    desired: Desired,
    context: ReconcileContext,
    writing: () => void,
  ): Promise<Outcome> {
    const { client } = context;
    const plan = await planChildren(client, object, desired, this.reconciler.childTypes);
    if (!writesNothing(plan)) writing();
    const applied = await writeChildren(client, plan);
    for (const child of [...plan.seen, ...applied]) this.shared.seen.remember(child);
    const written = await this.status.write(object, desired, context.now, {
      retryConflicts: client === client.live(),
    });
    if (written === 'conflict') throw new ReadLiveFirst();
    if (written === 'superseded') return 'superseded';
    return !writesNothing(plan) || written === 'written' ? 'updated' : 'unchanged';
  }

  /**
   * Creates the lead children that do not exist yet; false when none is missing. Every wanted child is read
   * first, as in every pass, so that a name held by someone else stops it before anything is written. The pass
   * that does the rest reads the object live again before it writes.
   */
  private async createLeads(
    object: O,
    desired: Desired,
    client: ObjectClient,
    writing: () => void,
  ): Promise<boolean> {
    const types = this.reconciler.leadChildTypes ?? [];
    const isLead = (child: KubeObject) =>
      types.some((type) => type.kind === child.kind && type.apiVersion === child.apiVersion);
    if (!desired.children.some(isLead)) return false;
    const missing = (await missingChildren(client, object, desired.children)).filter(isLead);
    if (missing.length === 0) return false;
    writing();
    const created = await writeChildren(client, { apply: missing, prune: [], seen: [] });
    for (const child of created) this.shared.seen.remember(child);
    client.forget(keyOf(object));
    return true;
  }

  /** Records a failed pass in status; a terminal one is done (204), a transient one is thrown (503). */
  private async failed(object: O, error: unknown, now: Date): Promise<Outcome> {
    if (isTerminal(error)) {
      await this.recordFailure(object, this.terminalStatus(object, error, now), now);
      return 'failed';
    }
    await this.recordFailure(object, this.transientStatus(object, error as Error, now), now);
    throw error instanceof TransientError
      ? error
      : new TransientError(`reconciling ${describeKey(keyOf(object))} failed: ${(error as Error).message}`, {
          cause: error,
        });
  }

  /**
   * A failure no retry can fix, said in Ready (or the facet's condition). One that waits for a spec change also
   * records when it is rechecked, so events and resyncs leave the object alone until its spec moves.
   */
  private terminalStatus(object: O, error: TerminalError, now: Date): StatusUpdate {
    const facet = this.reconciler.statusFacet;
    const failed: ConditionInput = {
      type: facet?.condition ?? 'Ready',
      status: 'False',
      reason: error.reason,
      message: error.message,
    };
    const waits = error.waitsFor === 'spec' && !facet;
    const status = waits ? { ...nextFailure(statusOf(object), now, 'spec') } : {};
    return { status, conditions: [failed] };
  }

  /**
   * A pass that failed in a way a retry may fix: Ready=False with the reason and a retry time, so one poison
   * object waits its turn. A facet's failed check withdraws what it vouched for (fail-closed) and leaves the
   * backoff to the owner.
   */
  private transientStatus(object: O, error: Error, now: Date): StatusUpdate {
    const facet = this.reconciler.statusFacet;
    if (facet) {
      return {
        status: {},
        conditions: [
          { type: facet.condition, status: 'Unknown', reason: 'CheckFailed', message: error.message },
        ],
      };
    }
    return {
      status: { ...nextFailure(statusOf(object), now, 'backoff') },
      conditions: [{ type: 'Ready', status: 'False', reason: 'ReconcileFailed', message: error.message }],
    };
  }

  private async recordFailure(object: O, update: StatusUpdate, now: Date): Promise<StatusWriteResult> {
    return this.status.write(object, update, now, { failure: true }).catch((statusError: unknown) => {
      this.log.warn(
        { object: describeKey(keyOf(object)), err: statusError },
        'could not record the failure in status',
      );
      return 'unchanged' as const;
    });
  }

  private async deleteSelf(object: O, why: { reason: string; message: string }, now: Date): Promise<Outcome> {
    const condition = {
      type: 'Ready',
      status: 'False' as const,
      reason: why.reason,
      message: why.message,
      lastTransitionTime: now.toISOString(),
    };
    await recordEvent(this.client, this.log, { object, condition, now });
    // Only this object: one created again under the same name since it was read is not ours to delete.
    await this.client.delete(keyOf(object), { uid: object.metadata.uid });
    this.log.info({ object: describeKey(keyOf(object)), reason: why.reason }, why.message);
    return 'gone';
  }
}

function lacksFinalizer(finalizer: { name: string } | undefined, object: KubeObject): boolean {
  return finalizer !== undefined && !object.metadata.finalizers?.includes(finalizer.name);
}

function statusOf(object: KubeObject): StatusOf {
  return (object.status ?? {}) as StatusOf;
}
