/**
 * Reads for one resync pass. A resync touches every object of a kind, and the passes read the same things again
 * and again: each object's children, and the objects many of them depend on (the routes and tenants every
 * gateway folds in, the plugin set a namespace's gateways share). For the length of one pass, like an informer
 * cache that lives for one resync:
 *  - each child type (and each other labelled kind the function declares it lists) is listed once per namespace
 *    (only our labelled objects) and served from memory; no other kind is listed, since least-privilege RBAC may
 *    grant a function `get` alone on it;
 *  - any other identical read (the same GET, the same list, the same discovery question) is sent once;
 *  - the objects the resync itself listed are not read again.
 *
 * A resync that goes page by page narrows the child lists to the page's parents (ParentLabel), so memory holds
 * one page's children, not the whole fleet's; a list the narrowed snapshot cannot answer is sent live.
 *
 * A labelled object missing from the snapshot is read live, so a foreign object with a child's name is still
 * noticed and never overwritten; lists of the resynced kind itself are always live (a pass may delete some);
 * a status conflict re-reads fresh (ObjectClient.get with `fresh`). Failed reads are not remembered.
 */
import type { KubeObject, ObjectKey } from './objects.ts';

/** The label every object the functions create carries; snapshots hold only objects with it. */
export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=mcpg-functions';

type TypeRef = { apiVersion: string; kind: string };
type TypeInNamespace = TypeRef & { namespace?: string | undefined };

export type ListLive = (type: TypeInNamespace, labelSelector?: string) => Promise<KubeObject[]>;

/** The label naming a child's parent, and its values for the parents this snapshot serves. */
export interface ParentLabel {
  key: string;
  values: string[];
}

/** Equality requirements of a selector (`a=b,c==d`); undefined when it uses anything else. */
export function equalityRequirements(selector: string): [string, string][] | undefined {
  const requirements: [string, string][] = [];
  for (const part of selector.split(',')) {
    const match = /^\s*([^=!\s(),]+)\s*==?\s*([^=!\s(),]*)\s*$/.exec(part);
    if (!match) return undefined;
    requirements.push([match[1] as string, match[2] as string]);
  }
  return requirements;
}

function typeKey(type: TypeInNamespace): string {
  return `${type.apiVersion}/${type.kind}/${type.namespace ?? ''}`;
}

export class ResyncSnapshot {
  private readonly reads = new Map<string, Promise<unknown>>();
  private readonly listLive: ListLive;
  private readonly seededKinds = new Set<string>();
  private readonly childKinds: Set<string>;
  private readonly parents: { key: string; values: Set<string>; selector: string } | undefined;

  /**
   * `seed` are objects the resync already listed (the kind itself), answered by `get` without another read;
   * `childTypes` are the kinds listed once per namespace; `parents`, when given, narrows those lists to the
   * children of these parents.
   */
  constructor(
    listLive: ListLive,
    seed: KubeObject[] = [],
    childTypes: readonly TypeRef[] = [],
    parents?: ParentLabel,
  ) {
    this.listLive = listLive;
    this.parents = parents && {
      key: parents.key,
      values: new Set(parents.values),
      selector: `${MANAGED_SELECTOR},${parents.key} in (${[...new Set(parents.values)].sort().join(',')})`,
    };
    this.childKinds = new Set(childTypes.map((t) => `${t.apiVersion}/${t.kind}`));
    const seeded = new Map<string, KubeObject[]>();
    for (const object of seed) {
      this.seededKinds.add(`${object.apiVersion}/${object.kind}`);
      const key = `managed:${typeKey({ ...object, namespace: object.metadata.namespace })}`;
      const items = seeded.get(key) ?? [];
      items.push(object);
      seeded.set(key, items);
    }
    for (const [key, items] of seeded) this.reads.set(key, Promise.resolve(items));
  }

  /** Sends a read once per pass; a failed one is forgotten, so the next caller tries again. */
  remember<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = this.reads.get(key) as Promise<T> | undefined;
    if (known) return known;
    const pending = read();
    this.reads.set(key, pending);
    pending.catch(() => this.reads.delete(key));
    return pending;
  }

  /** What memory holds of a type in a namespace: a child type's list, the seed of the resynced kind, or nothing. */
  private heldIn(type: TypeInNamespace): Promise<KubeObject[]> | undefined {
    if (this.childKinds.has(`${type.apiVersion}/${type.kind}`)) return this.managed(type);
    return this.reads.get(`managed:${typeKey(type)}`) as Promise<KubeObject[]> | undefined;
  }

  private managed(type: TypeInNamespace): Promise<KubeObject[]> {
    const selector = this.parents?.selector ?? MANAGED_SELECTOR;
    return this.remember(`managed:${typeKey(type)}`, () => this.listLive(type, selector));
  }

  /** Whether a list with these requirements is answered in full by the (possibly narrowed) child lists. */
  private holdsAll(requirements: [string, string][] | undefined): requirements is [string, string][] {
    if (!requirements?.some(([k, v]) => `${k}=${v}` === MANAGED_SELECTOR)) return false;
    const parents = this.parents;
    return !parents || requirements.some(([k, v]) => k === parents.key && parents.values.has(v));
  }

  async get(
    key: ObjectKey,
    readLive: () => Promise<KubeObject | undefined>,
  ): Promise<KubeObject | undefined> {
    const type = { apiVersion: key.apiVersion, kind: key.kind, namespace: key.namespace };
    const held = (await this.heldIn(type))?.find((o) => o.metadata.name === key.name);
    return held ?? this.remember(`get:${typeKey(type)}/${key.name}`, readLive);
  }

  async list(
    type: TypeInNamespace,
    labelSelector: string | undefined,
    readLive: () => Promise<KubeObject[]>,
  ): Promise<KubeObject[]> {
    const requirements = labelSelector ? equalityRequirements(labelSelector) : undefined;
    if (this.childKinds.has(`${type.apiVersion}/${type.kind}`) && this.holdsAll(requirements)) {
      const items = await this.managed(type);
      return items.filter((o) => requirements.every(([k, v]) => o.metadata.labels?.[k] === v));
    }
    if (this.seededKinds.has(`${type.apiVersion}/${type.kind}`)) return readLive();
    return this.remember(`list:${typeKey(type)}?${labelSelector ?? ''}`, readLive);
  }
}
