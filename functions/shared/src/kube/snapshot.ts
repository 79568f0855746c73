/**
 * Reads for one resync pass. A resync touches every object of a kind, and each pass reads the same few child
 * types in the same namespaces; instead of a GET and a LIST per child per object, each type is listed once per
 * namespace (only our labelled objects) and served from memory for the rest of the pass, like an informer
 * cache that lives for one resync.
 *
 * Only answers that are safe from a snapshot are given: a labelled object found in it, and label-selected
 * lists within our labelled set. Anything else (an object not found, other selectors, unlabelled kinds) is
 * read live, so a foreign object with a child's name is still noticed and never overwritten.
 */
import type { KubeObject, ObjectKey } from './objects.ts';

/** The label every object the functions create carries; snapshots hold only objects with it. */
export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=mcpg-functions';

type TypeInNamespace = { apiVersion: string; kind: string; namespace?: string | undefined };

export type ListLive = (type: TypeInNamespace, labelSelector?: string) => Promise<KubeObject[]>;

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
  private readonly lists = new Map<string, Promise<KubeObject[]>>();
  private readonly listLive: ListLive;

  /** `seed` are objects the resync already listed (the kind itself), answered by `get` without another read. */
  constructor(listLive: ListLive, seed: KubeObject[] = []) {
    this.listLive = listLive;
    const seeded = new Map<string, KubeObject[]>();
    for (const object of seed) {
      const key = typeKey({ ...object, namespace: object.metadata.namespace });
      const items = seeded.get(key) ?? [];
      items.push(object);
      seeded.set(key, items);
    }
    for (const [key, items] of seeded) this.lists.set(key, Promise.resolve(items));
  }

  private managed(type: TypeInNamespace): Promise<KubeObject[]> {
    const key = typeKey(type);
    let list = this.lists.get(key);
    if (!list) {
      list = this.listLive(type, MANAGED_SELECTOR);
      // A failed list is not remembered: the next read tries again (and reports its own error).
      list.catch(() => this.lists.delete(key));
      this.lists.set(key, list);
    }
    return list;
  }

  /** The object when the snapshot holds it; undefined means "read it live". */
  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    const type = { apiVersion: key.apiVersion, kind: key.kind, namespace: key.namespace };
    const items = await this.managed(type);
    return items.find((o) => o.metadata.name === key.name);
  }

  /** The selected objects when the selector stays within our labelled set; undefined means "list it live". */
  async list(type: TypeInNamespace, labelSelector: string | undefined): Promise<KubeObject[] | undefined> {
    const requirements = labelSelector ? equalityRequirements(labelSelector) : undefined;
    if (!requirements?.some(([k, v]) => `${k}=${v}` === MANAGED_SELECTOR)) return undefined;
    const items = await this.managed(type);
    return items.filter((o) => requirements.every(([k, v]) => o.metadata.labels?.[k] === v));
  }
}
