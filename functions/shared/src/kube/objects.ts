/**
 * Typed-enough access to any object the functions handle, over plain JSON (see raw.ts): read, list (all pages),
 * server-side apply, status replace with optimistic concurrency, delete. Every call is counted, so a resync can
 * prove it wrote nothing. Given a KnownObjects, reads are answered from what the process last read or wrote
 * while that is current (known-objects.ts), and every read and write answer is held there.
 */
import { apiStatus, isNotFound } from './errors.ts';
import type { KnownObjects } from './known-objects.ts';
import { kubeRequest, resourcePath, type ApiTarget } from './raw.ts';
import { requireResource } from './resources.ts';
import { ResyncSnapshot, type ParentLabel } from './snapshot.ts';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
  finalizers?: string[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

export interface RequestCounts {
  reads: number;
  writes: number;
}

const PAGE_SIZE = 500;

interface SharedParts {
  counts?: RequestCounts;
  snapshot?: ResyncSnapshot | undefined;
  known?: KnownObjects | undefined;
  /** Reads skip memory (they still refresh it). */
  readsLive?: boolean;
}

export class ObjectClient {
  readonly counts: RequestCounts;
  private readonly config: ApiTarget;
  private readonly fieldManager: string;
  private readonly snapshot: ResyncSnapshot | undefined;
  private readonly known: KnownObjects | undefined;
  private readonly readsLive: boolean;

  constructor(config: ApiTarget, fieldManager: string, shared: SharedParts = {}) {
    this.config = config;
    this.fieldManager = fieldManager;
    this.counts = shared.counts ?? { reads: 0, writes: 0 };
    this.snapshot = shared.snapshot;
    this.known = shared.known;
    this.readsLive = shared.readsLive ?? false;
  }

  /** The same client with its reads sent to the API server, for a pass that must not act on memory. */
  live(): ObjectClient {
    if (!this.known || this.readsLive) return this;
    return new ObjectClient(this.config, this.fieldManager, {
      counts: this.counts,
      snapshot: this.snapshot,
      known: this.known,
      readsLive: true,
    });
  }

  /** Whether a read of the object would be answered from memory. */
  holds(key: ObjectKey): boolean {
    return !this.readsLive && !this.snapshot && this.known?.held(key) !== undefined;
  }

  /** An event said the object is at `resourceVersion` now: a copy held at another version is read again. */
  hint(key: ObjectKey, resourceVersion: string | undefined): void {
    this.known?.hint(key, resourceVersion);
  }

  /** Lets go of what memory holds of the object (a pass over it failed: the next one reads it live). */
  forget(key: ObjectKey): void {
    this.known?.forget(key);
  }

  /**
   * The same client reading through a snapshot for one resync pass (see snapshot.ts); `seed` are the objects
   * the resync listed. Writes and counts are shared with this client.
   */
  forResync(
    seed: KubeObject[],
    childTypes: readonly { apiVersion: string; kind: string }[],
    parents?: ParentLabel,
  ): ObjectClient {
    const snapshot = new ResyncSnapshot(
      (type, selector) => this.listLive(type, selector),
      seed,
      childTypes,
      parents,
    );
    return new ObjectClient(this.config, this.fieldManager, {
      counts: this.counts,
      snapshot,
      known: this.known,
    });
  }

  private path(key: Omit<ObjectKey, 'name'> & { name?: string }): string {
    const resource = requireResource(key.apiVersion, key.kind);
    return resourcePath({
      apiVersion: key.apiVersion,
      plural: resource.plural,
      namespace: resource.namespaced ? key.namespace : undefined,
      ...(key.name ? { name: key.name } : {}),
    });
  }

  /**
   * The object, or undefined when it does not exist. `fresh` (after a conflict) reads live past any snapshot or
   * memory, and is not held: the object may have moved in a way the pass has not seen yet.
   */
  async get<T extends KubeObject>(key: ObjectKey, options: { fresh?: boolean } = {}): Promise<T | undefined> {
    if (options.fresh) {
      this.known?.forget(key);
      return this.getLive<T>(key);
    }
    if (this.snapshot) return (await this.snapshot.get(key, () => this.getLive(key))) as T;
    if (!this.known) return this.getLive<T>(key);
    const held = this.readsLive ? undefined : this.known.held(key);
    if (held) return held.object as T | undefined;
    const join = !this.readsLive;
    return (await this.known.read(key, (k) => this.getLive(k), { join })) as T | undefined;
  }

  private async getLive<T extends KubeObject>(key: ObjectKey): Promise<T | undefined> {
    this.counts.reads += 1;
    try {
      return await kubeRequest<T>(this.config, { method: 'GET', path: this.path(key) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Every object of a kind (in a namespace, or cluster-wide), following continue tokens. */
  async list<T extends KubeObject>(
    type: { apiVersion: string; kind: string; namespace?: string | undefined },
    labelSelector?: string,
  ): Promise<T[]> {
    if (this.snapshot)
      return (await this.snapshot.list(type, labelSelector, () => this.listLive(type, labelSelector))) as T[];
    if (this.known && !this.readsLive) {
      const held = await this.known.children(type, labelSelector, {
        get: (key) => this.getLive(key),
        list: (t, selector) => this.listLive(t, selector),
      });
      if (held) return held as T[];
    }
    return this.listLive<T>(type, labelSelector);
  }

  private async listLive<T extends KubeObject>(
    type: { apiVersion: string; kind: string; namespace?: string | undefined },
    labelSelector?: string,
  ): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.listPage(type, { labelSelector, continue: token });
      items.push(...(page.items as T[]));
      token = page.continue;
    } while (token);
    return items;
  }

  /** One page of a list, always live; `continue` of the answer names the next page, if any. */
  async listPage(
    type: { apiVersion: string; kind: string; namespace?: string | undefined },
    options: { labelSelector?: string | undefined; continue?: string | undefined; limit?: number } = {},
  ): Promise<{ items: KubeObject[]; continue: string | undefined }> {
    const query = new URLSearchParams({ limit: String(options.limit ?? PAGE_SIZE) });
    if (options.labelSelector) query.set('labelSelector', options.labelSelector);
    if (options.continue) query.set('continue', options.continue);
    this.counts.reads += 1;
    const page = await kubeRequest<{ items: KubeObject[]; metadata?: { continue?: string } }>(this.config, {
      method: 'GET',
      path: `${this.path(type)}?${query.toString()}`,
    });
    return {
      items: page.items.map((item) => ({ ...item, apiVersion: type.apiVersion, kind: type.kind })),
      continue: page.metadata?.continue || undefined,
    };
  }

  /** Server-side apply of the fields this function owns. */
  async apply<T extends KubeObject>(object: KubeObject): Promise<T> {
    this.counts.writes += 1;
    const query = `?fieldManager=${encodeURIComponent(this.fieldManager)}&force=true`;
    return this.written(keyOf(object), () =>
      kubeRequest<T>(this.config, {
        method: 'PATCH',
        path: this.path({ ...object, ...object.metadata }) + query,
        body: object,
        contentType: 'application/apply-patch+yaml',
      }),
    );
  }

  /** A write whose answer is held as the object's current copy (typed as the key, since some answers omit it). */
  private async written<T extends KubeObject>(key: ObjectKey, send: () => Promise<T>): Promise<T> {
    const sent = this.known?.mark();
    const answer = await send();
    if (sent !== undefined)
      this.known?.remember(key, { ...answer, apiVersion: key.apiVersion, kind: key.kind }, sent);
    return answer;
  }

  /**
   * A JSON merge patch (RFC 7386: a null removes a key) or a JSON patch (RFC 6902: a `test` op makes it
   * conditional), for fields of objects we share with other writers, such as a namespace's labels.
   */
  async patch<T extends KubeObject>(key: ObjectKey, patch: unknown, type: 'merge' | 'json'): Promise<T> {
    this.counts.writes += 1;
    return this.written(key, () =>
      kubeRequest<T>(this.config, {
        method: 'PATCH',
        path: this.path(key),
        body: patch,
        contentType: type === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json',
      }),
    );
  }

  /** Replaces the status subresource; the object's resourceVersion makes a stale write fail with 409. */
  async replaceStatus<T extends KubeObject>(object: T): Promise<T> {
    this.counts.writes += 1;
    return this.written(keyOf(object), () =>
      kubeRequest<T>(this.config, {
        method: 'PUT',
        path: `${this.path({ ...object, ...object.metadata })}/status`,
        body: object,
      }),
    );
  }

  /**
   * Deletes; a missing object counts as deleted. Background propagation lets the GC remove dependents. With a
   * uid, only that incarnation is deleted: when the name now belongs to another object, ours is gone already.
   */
  async delete(key: ObjectKey, precondition: { uid?: string | undefined } = {}): Promise<void> {
    this.counts.writes += 1;
    const preconditions = precondition.uid ? { preconditions: { uid: precondition.uid } } : {};
    // Whatever the answer, the next read of the object is live: it is gone, going, or someone else's now.
    this.known?.forget(key);
    try {
      await kubeRequest(this.config, {
        method: 'DELETE',
        path: this.path(key),
        body: { propagationPolicy: 'Background', ...preconditions },
      });
    } catch (error) {
      if (isNotFound(error)) return;
      if (precondition.uid && apiStatus(error) === 409) return;
      throw error;
    }
  }

  /** Whether the API server serves this kind now (discovery), for optional APIs such as ServiceMonitor. */
  serves(apiVersion: string, kind: string): Promise<boolean> {
    const ask = () => this.servesLive(apiVersion, kind);
    return this.snapshot ? this.snapshot.remember(`serves:${apiVersion}/${kind}`, ask) : ask();
  }

  private async servesLive(apiVersion: string, kind: string): Promise<boolean> {
    const resource = requireResource(apiVersion, kind);
    this.counts.reads += 1;
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    try {
      const list = await kubeRequest<{ resources?: { name: string }[] }>(this.config, {
        method: 'GET',
        path,
      });
      return (list.resources ?? []).some((r) => r.name === resource.plural);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Creates an object (used for Events, which are never updated). */
  async create<T extends KubeObject>(object: KubeObject): Promise<T> {
    this.counts.writes += 1;
    return kubeRequest<T>(this.config, {
      method: 'POST',
      path: this.path({ ...object, ...object.metadata, name: undefined }),
      body: object,
    });
  }
}

export function keyOf(object: KubeObject): ObjectKey {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  };
}

export function describeKey(key: ObjectKey): string {
  return `${key.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name}`;
}
