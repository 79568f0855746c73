/**
 * What this process last read from the API server or wrote to it, answered again to later passes while it is
 * fresh: the objects a function handles change mostly through its own writes, and the event of every change
 * says which objects moved, so most reads of a burst can be answered from memory.
 *
 * Only trusted copies are held: answers to live reads and to our own writes, and only of the kinds whose changes
 * reach the function as events (its own kind, its children, the labelled kinds it observes); anything else (a
 * Secret nobody labelled, a referenced object) is read live every time. An event's payload is never taken
 * as an object (it is a hint, and anyone who reaches the function can send one); its resourceVersion only tells
 * whether the copy held is still current. A copy whose object an event says has moved is read live again, and
 * so is any copy older than `maxAgeMs`, which bounds how long a lost event can leave a copy stale. A read or write
 * answered after an event arrived may have been served before the change that event names: its copy stays stale
 * unless it is at the version the event named, so the event's own pass reads the object again.
 *
 * Lists are answered for one shape, the children of one parent (`MANAGED_SELECTOR,<parent label>=<name>`): the
 * first such list in a namespace lists every managed object of the type that carries the parent label once, and
 * later ones filter that set, kept current by our writes and by re-reading (by name) each object an event named.
 */
import { HeldNames, type Held } from './held-names.ts';
import { equalityRequirements, MANAGED_SELECTOR } from './snapshot.ts';
import type { KubeObject, ObjectKey } from './objects.ts';

type TypeRef = { apiVersion: string; kind: string; namespace?: string | undefined };

/** The version the latest event about an object named, and where that event stands among all hints. */
interface Hinted {
  version: string | undefined;
  order: number;
  at: number;
}

/** Live reads the store falls back to; `listAll` follows every page. */
export interface LiveReads {
  get: (key: ObjectKey) => Promise<KubeObject | undefined>;
  list: (type: TypeRef, labelSelector: string) => Promise<KubeObject[]>;
}

const [MANAGED_KEY = '', MANAGED_VALUE = ''] = MANAGED_SELECTOR.split('=');

/** How long a read that found nothing is believed. */
const ABSENCE_MS = 1_000;

function typeId(type: TypeRef): string {
  return `${type.apiVersion}/${type.kind}/${type.namespace ?? ''}`;
}

/** The object without its managedFields, which no pass reads and which are often half its size. */
function slim(object: KubeObject): KubeObject {
  if (!('managedFields' in object.metadata)) return object;
  const metadata: KubeObject['metadata'] & { managedFields?: unknown } = { ...object.metadata };
  delete metadata.managedFields;
  return { ...object, metadata };
}

/** Whether a held object is managed and carries the parent label (with this value, when one is given). */
function inSet(held: Held, label: string, value?: string): held is Held & { object: KubeObject } {
  const labels = held.object?.metadata.labels ?? {};
  if (labels[MANAGED_KEY] !== MANAGED_VALUE) return false;
  return value === undefined ? labels[label] !== undefined : labels[label] === value;
}

/** Drops the entries `expired` picks; true when none is left. */
function dropExpired<T>(entries: Map<string, T>, expired: (entry: T, id: string) => boolean): boolean {
  for (const [id, entry] of entries) if (expired(entry, id)) entries.delete(id);
  return entries.size === 0;
}

/** The parent label and value of a children-of-one-parent selector; undefined for any other selector. */
function parentRequirement(selector: string | undefined): [string, string] | undefined {
  const requirements = selector ? equalityRequirements(selector) : undefined;
  if (requirements?.length !== 2) return undefined;
  const managed = requirements.find(([k, v]) => k === MANAGED_KEY && v === MANAGED_VALUE);
  const parent = requirements.find(([k]) => k !== MANAGED_KEY);
  return managed && parent && parent[1] !== '' ? parent : undefined;
}

export class KnownObjects {
  /** Held copies by type and namespace, then by name. */
  private readonly byType = new Map<string, HeldNames>();
  /** When each set was listed in full, by type and namespace, then by parent label. */
  private readonly sets = new Map<string, Map<string, number>>();
  /** Versions events named that no read or write sent since has answered, by type and namespace, then by name. */
  private readonly hinted = new Map<string, Map<string, Hinted>>();
  /** Hints so far: a read sent after the n-th hint answers at least the version it named. */
  private hints = 0;
  /** Reads of held kinds on their way, by type and namespace and name, with the mark taken as each was sent. */
  private readonly reading = new Map<string, { sent: number; answer: Promise<KubeObject | undefined> }>();
  private readonly maxAgeMs: number;
  private readonly clock: () => number;
  private lastSweep: number;
  private release: NodeJS.Timeout | undefined;

  /** Only objects of these kinds are held: the kinds whose changes reach the function as events. */
  private readonly kinds: Set<string>;

  constructor(options: {
    maxAgeMs: number;
    kinds: readonly { apiVersion: string; kind: string }[];
    clock?: () => number;
  }) {
    this.maxAgeMs = options.maxAgeMs;
    this.kinds = new Set(options.kinds.map((k) => `${k.apiVersion}/${k.kind}`));
    this.clock = options.clock ?? Date.now;
    this.lastSweep = this.clock();
  }

  /** Where reads stand against events: taken as a read or write is sent, and given to remember() with its answer. */
  mark(): number {
    return this.hints;
  }

  /**
   * Holds a copy read live or answered to our own write (undefined: the object does not exist); `sent` is the
   * mark() taken when the request went out.
   */
  remember(key: ObjectKey, object: KubeObject | undefined, sent: number): void {
    if (!this.holdsKind(key)) return;
    const now = this.clock();
    this.sweep(now);
    this.releaseWhenIdle();
    const stale = this.behindHint(key, object, sent);
    this.namesOf(key, true).set(key.name, { object: object && slim(object), at: now, stale });
  }

  /**
   * Reads the object live and holds the answer. A read of it already on its way, sent after the latest event
   * about it, is joined instead of sent again: its answer is held as current when it comes, so it is what a
   * read sent now would find in memory a moment later (a pass reading the same child for two reasons at once).
   * `join: false` (a pass that must read live) always sends its own.
   */
  async read(
    key: ObjectKey,
    get: LiveReads['get'],
    { join = true }: { join?: boolean } = {},
  ): Promise<KubeObject | undefined> {
    const id = `${typeId(key)}/${key.name}`;
    const pending = join ? this.joinable(key, id) : undefined;
    if (pending) return pending;
    const sent = this.mark();
    const answer = get(key);
    if (this.holdsKind(key)) this.reading.set(id, { sent, answer });
    try {
      const found = await answer;
      this.remember(key, found, sent);
      return found;
    } finally {
      if (this.reading.get(id)?.answer === answer) this.reading.delete(id);
    }
  }

  /** The answer of a read of the object on its way, when it was sent after the latest event about the object. */
  private joinable(key: ObjectKey, id: string): Promise<KubeObject | undefined> | undefined {
    const pending = this.reading.get(id);
    const hinted = this.hinted.get(typeId(key))?.get(key.name);
    return pending && (!hinted || hinted.order <= pending.sent) ? pending.answer : undefined;
  }

  /** Lets go of a copy: the next read of the object is live. */
  forget(key: ObjectKey): void {
    this.namesOf(key)?.delete(key.name);
  }

  /**
   * An event says the object is at `resourceVersion` now (undefined: it did not say). A copy at another version
   * is stale, and so is any answer to a request already on its way; an object nobody holds but a listed set may
   * include is marked so that the set reads it.
   */
  hint(key: ObjectKey, resourceVersion: string | undefined): void {
    if (!this.holdsKind(key)) return;
    const names = this.namesOf(key);
    const held = names?.get(key.name);
    if (held && resourceVersion !== undefined && held.object?.metadata.resourceVersion === resourceVersion)
      return;
    this.hints += 1;
    const now = this.clock();
    this.hintsOf(key).set(key.name, { version: resourceVersion, order: this.hints, at: now });
    if (held) names?.markStale(key.name);
    else if (this.sets.has(typeId(key)))
      this.namesOf(key, true).set(key.name, { object: undefined, at: now, stale: true });
  }

  /**
   * Whether an answer to a request sent at mark `sent` may predate the latest event about the object: that event
   * arrived after the request was sent, and the answer is not at the version it named. (The hint stays until it
   * expires: an answer to an older request may still be on its way.)
   */
  private behindHint(key: ObjectKey, object: KubeObject | undefined, sent: number): boolean {
    const hinted = this.hinted.get(typeId(key))?.get(key.name);
    if (!hinted || hinted.order <= sent) return false;
    return hinted.version === undefined || object?.metadata.resourceVersion !== hinted.version;
  }

  private hintsOf(key: ObjectKey): Map<string, Hinted> {
    const id = typeId(key);
    let hints = this.hinted.get(id);
    if (!hints) {
      hints = new Map();
      this.hinted.set(id, hints);
    }
    return hints;
  }

  /** The held copy, when there is a current one: `{ object }` (object undefined: known not to exist). */
  held(key: ObjectKey): { object: KubeObject | undefined } | undefined {
    const held = this.namesOf(key)?.get(key.name);
    if (!held || held.stale || this.expired(held.at)) return undefined;
    // Absence is believed for one pass at most: a name someone else takes sends us no event, and must be found
    // live before we apply to it.
    if (!held.object && this.clock() - held.at > ABSENCE_MS) return undefined;
    return { object: held.object };
  }

  /**
   * The children of one parent, from memory when the set of the type in the namespace is held (objects an event
   * named are read again first); undefined when the selector is not of that shape (the caller lists live).
   */
  async children(
    type: TypeRef,
    selector: string | undefined,
    live: LiveReads,
  ): Promise<KubeObject[] | undefined> {
    const parent = parentRequirement(selector);
    if (!parent || type.namespace === undefined || !this.holdsKind(type)) return undefined;
    const [label, value] = parent;
    const listedAt = this.sets.get(typeId(type))?.get(label);
    if (listedAt === undefined || this.expired(listedAt)) await this.listSet(type, label, live);
    else await this.refreshStale(type, live);
    return (this.namesOf(type)?.labelled(label, value) ?? [])
      .filter((held) => inSet(held, label, value))
      .map((h) => h.object);
  }

  /** How many copies are held (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const names of this.byType.values()) count += names.size;
    return count;
  }

  private async listSet(type: TypeRef, label: string, live: LiveReads): Promise<void> {
    const started = this.clock();
    const sent = this.mark();
    const items = await live.list(type, `${MANAGED_SELECTOR},${label}`);
    const names = this.namesOf(type, true);
    // Members of the set held from before the list and missing from it are gone; copies remembered while the
    // list was on its way (our own writes) are newer than it and stay.
    dropExpired(names, (held) => held.at <= started && (held.stale || inSet(held, label)));
    const now = this.clock();
    for (const item of items) {
      if ((names.get(item.metadata.name)?.at ?? started) > started) continue;
      const stale = this.behindHint({ ...type, name: item.metadata.name }, item, sent);
      names.set(item.metadata.name, { object: slim(item), at: now, stale });
    }
    const sets = this.sets.get(typeId(type)) ?? new Map<string, number>();
    sets.set(label, started);
    this.sets.set(typeId(type), sets);
  }

  private async refreshStale(type: TypeRef, live: LiveReads): Promise<void> {
    const names = this.namesOf(type);
    if (!names) return;
    await Promise.all(
      names.stale().map(async (name) => {
        const key = { ...type, name };
        const sent = this.mark();
        this.remember(key, await live.get(key), sent);
      }),
    );
  }

  private namesOf(type: TypeRef, create: true): HeldNames;
  private namesOf(type: TypeRef, create?: boolean): HeldNames | undefined;
  private namesOf(type: TypeRef, create = false): HeldNames | undefined {
    const id = typeId(type);
    let names = this.byType.get(id);
    if (!names && create) {
      names = new HeldNames([MANAGED_KEY, MANAGED_VALUE]);
      this.byType.set(id, names);
    }
    return names;
  }

  private releaseWhenIdle(): void {
    if (this.release) return;
    this.release = setTimeout(() => {
      this.release = undefined;
      this.sweep(this.clock(), true);
      if (this.byType.size > 0) this.releaseWhenIdle();
    }, this.maxAgeMs + 1_000);
    this.release.unref();
  }

  private holdsKind(type: TypeRef): boolean {
    return this.kinds.has(`${type.apiVersion}/${type.kind}`);
  }

  private expired(at: number): boolean {
    return this.clock() - at > this.maxAgeMs;
  }

  /**
   * Drops what has expired, at most once per `maxAgeMs` while objects are being remembered, and once more after
   * they stop, so that an idle function lets its memory go (the timer never keeps the process alive).
   */
  private sweep(now: number, idle = false): void {
    if (!idle && now - this.lastSweep < this.maxAgeMs) return;
    this.lastSweep = now;
    dropExpired(this.sets, (sets) => dropExpired(sets, (at) => this.expired(at)));
    dropExpired(this.hinted, (hints) => dropExpired(hints, (hinted) => this.expired(hinted.at)));
    dropExpired(
      this.byType,
      (names, id) => dropExpired(names, (held) => this.expired(held.at)) && !this.sets.has(id),
    );
  }
}
