/**
 * The resourceVersion of each object that a pass has already seen: the object it read or the status it wrote,
 * and the children it read or applied. The API server turns each change into an event naming the version it
 * produced; an event naming a version a pass over that object (or its parent) has already seen brings nothing
 * new, and is answered without a pass. Our own writes are the commonest case.
 */
import { describeKey, type KubeObject, keyOf, type ObjectKey } from '../kube/index.ts';

const REMEMBERED = 20_000;

export class SeenVersions {
  private readonly versions = new Map<string, string>();

  remember(object: KubeObject): void {
    const version = object.metadata.resourceVersion;
    if (!version) return;
    const id = describeKey(keyOf(object));
    // Re-inserted so the map's order is oldest first; the oldest are forgotten past the limit.
    this.versions.delete(id);
    this.versions.set(id, version);
    if (this.versions.size > REMEMBERED) {
      const oldest = this.versions.keys().next().value;
      if (oldest !== undefined) this.versions.delete(oldest);
    }
  }

  /** True when a pass has seen the object at exactly this version. */
  hasSeen(key: ObjectKey, resourceVersion: string | undefined): boolean {
    return resourceVersion !== undefined && this.versions.get(describeKey(key)) === resourceVersion;
  }

  /** A pass over the object failed: the next event about it runs one, whatever version it names. */
  forget(key: ObjectKey): void {
    this.versions.delete(describeKey(key));
  }
}
