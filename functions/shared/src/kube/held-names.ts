/**
 * The copies memory holds of one type in one namespace, by name, indexed so that a pass finds the children of
 * its parent and the copies events made stale without walking every copy: with hundreds of objects in a
 * namespace, walking them on every pass made each pass's cost grow with the namespace. The index is taken when a
 * copy is set: copies are answers shared with every pass that reads them, and nothing changes them in place.
 */
import type { KubeObject } from './objects.ts';

export interface Held {
  /** Undefined: the object did not exist when it was read (or we deleted it). */
  object: KubeObject | undefined;
  at: number;
  /** An event said the object moved since: read it again before answering. */
  stale: boolean;
}

const labelId = (key: string, value: string) => `${key}=${value}`;

export class HeldNames extends Map<string, Held> {
  /** Names by each `key=value` label their copy carries, for copies that carry `managedLabel`. */
  private readonly byLabel = new Map<string, Set<string>>();
  private readonly staleNames = new Set<string>();
  private readonly managedLabel: [string, string];

  constructor(managedLabel: [string, string]) {
    super();
    this.managedLabel = managedLabel;
  }

  override set(name: string, held: Held): this {
    this.unindex(name);
    super.set(name, held);
    if (held.stale) this.staleNames.add(name);
    for (const id of this.labelIds(held)) {
      const names = this.byLabel.get(id) ?? new Set<string>();
      names.add(name);
      this.byLabel.set(id, names);
    }
    return this;
  }

  override delete(name: string): boolean {
    this.unindex(name);
    return super.delete(name);
  }

  override clear(): void {
    this.byLabel.clear();
    this.staleNames.clear();
    super.clear();
  }

  /** Says the copy held under `name` is behind an event. */
  markStale(name: string): void {
    const held = this.get(name);
    if (!held) return;
    held.stale = true;
    this.staleNames.add(name);
  }

  /** Names whose copies are stale. */
  stale(): string[] {
    return [...this.staleNames];
  }

  /** Copies of managed objects labelled `key=value`. */
  labelled(key: string, value: string): (Held & { object: KubeObject })[] {
    const names = this.byLabel.get(labelId(key, value)) ?? [];
    return [...names].map((name) => this.get(name) as Held & { object: KubeObject });
  }

  private labelIds(held: Held): string[] {
    const labels = held.object?.metadata.labels;
    const [managedKey, managedValue] = this.managedLabel;
    if (!labels || labels[managedKey] !== managedValue) return [];
    return Object.entries(labels).map(([key, value]) => labelId(key, value));
  }

  private unindex(name: string): void {
    const held = this.get(name);
    if (!held) return;
    this.staleNames.delete(name);
    for (const id of this.labelIds(held)) {
      const names = this.byLabel.get(id);
      names?.delete(name);
      if (names?.size === 0) this.byLabel.delete(id);
    }
  }
}
