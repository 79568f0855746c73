/**
 * The resourceVersions this process's own writes produced, per object. The API server turns each of our status
 * writes into an update event for the object; when the object a pass reads is still exactly the one we wrote,
 * nothing has changed since our last pass and a new one could only repeat it.
 */
import { describeKey, type KubeObject, keyOf } from '../kube/index.ts';

const REMEMBERED = 20_000;

export class WrittenVersions {
  private readonly versions = new Map<string, string>();

  remember(object: KubeObject): void {
    const version = object.metadata.resourceVersion;
    if (!version) return;
    const id = describeKey(keyOf(object));
    // Re-inserted so the map's order is oldest write first; the oldest are forgotten past the limit.
    this.versions.delete(id);
    this.versions.set(id, version);
    if (this.versions.size > REMEMBERED) {
      const oldest = this.versions.keys().next().value;
      if (oldest !== undefined) this.versions.delete(oldest);
    }
  }

  /** True when `object` is, to the resourceVersion, what our last write to it left. */
  isOurLastWrite(object: KubeObject): boolean {
    const version = object.metadata.resourceVersion;
    return version !== undefined && this.versions.get(describeKey(keyOf(object))) === version;
  }
}
