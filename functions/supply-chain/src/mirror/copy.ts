/**
 * Copies an artifact between registries with what vouches for it: the manifest (and an index's children), every
 * blob streamed with its digest checked on the way (memory stays flat whatever the size), cosign's classic
 * `.sig`/`.att`/`.sbom` tags, and every referrer (Sigstore bundles, attestations) with the `sha256-<hex>` index
 * tag registries without the referrers API keep them under. Blobs already at the target are skipped; a blob in
 * another repository of the target is mounted instead of uploaded. Nothing is committed that does not match.
 */
import { mapBounded } from '../bounded.ts';
import type { RegistryClient } from '../oci/client.ts';
import { RegistryError } from '../oci/errors.ts';
import { referrersTag } from '../oci/referrers.ts';
import type { Descriptor, Manifest, PushOutcome } from '../oci/types.ts';

export interface CopyStats {
  manifests: number;
  blobs: Record<PushOutcome, number>;
  bytesUploaded: number;
}

export interface CopyEnds {
  source: RegistryClient;
  target: RegistryClient;
  /** Repository at the source and at the target (they differ when the mirror has a path prefix). */
  from: string;
  to: string;
  /** A repository at the target that may already hold the blobs (cross-repository mount). */
  mountFrom?: string | undefined;
}

const ATTACHMENT_SUFFIXES = ['.sig', '.att', '.sbom'];

export function emptyStats(): CopyStats {
  return { manifests: 0, blobs: { exists: 0, mounted: 0, uploaded: 0 }, bytesUploaded: 0 };
}

async function copyBlob(ends: CopyEnds, blob: Descriptor, stats: CopyStats): Promise<void> {
  const outcome = await ends.target.pushBlob(
    ends.to,
    blob,
    () => ends.source.openBlob(ends.from, blob),
    ends.mountFrom,
  );
  stats.blobs[outcome] += 1;
  if (outcome === 'uploaded') stats.bytesUploaded += blob.size;
}

/**
 * Every blob of the manifest, a few at a time (the client's concurrency limit; crane's default is the same 4):
 * each transfer is streamed and bounded on its own, so memory grows with the number at once, not their size.
 * All settle before a failure is reported: nothing is still uploading when the manifest is not committed.
 */
async function copyBlobs(ends: CopyEnds, manifest: Manifest, stats: CopyStats): Promise<void> {
  const { config, layers = [] } = manifest.document;
  await mapBounded([...(config ? [config] : []), ...layers], ends.target.limits.concurrency, (blob) =>
    copyBlob(ends, blob, stats),
  );
}

/** Copies one manifest (by digest or tag) and everything it points to; children before parents. */
export async function copyManifest(ends: CopyEnds, ref: string, stats: CopyStats): Promise<Manifest> {
  const manifest = await ends.source.manifest(ends.from, ref);
  const present = await ends.target.headManifest(ends.to, ref);
  if (present?.digest === manifest.digest) return manifest;
  for (const child of manifest.document.manifests ?? []) await copyManifest(ends, child.digest, stats);
  await copyBlobs(ends, manifest, stats);
  await ends.target.putManifest(ends.to, ref, manifest);
  stats.manifests += 1;
  return manifest;
}

async function copyIfPresent(ends: CopyEnds, ref: string, stats: CopyStats): Promise<void> {
  try {
    await copyManifest(ends, ref, stats);
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NotFound') return;
    throw error;
  }
}

/** The artifact at `digest` (and `tag`, while it names that digest) and everything attached to it. */
export async function copyWithAttachments(ends: CopyEnds, digest: string, tag?: string): Promise<CopyStats> {
  const stats = emptyStats();
  const manifest = await copyManifest(ends, digest, stats);
  // The tag only while it still names what was verified: a moved tag must not carry other content in.
  if (tag !== undefined && (await ends.source.headManifest(ends.from, tag))?.digest === digest)
    await ends.target.putManifest(ends.to, tag, manifest);
  for (const suffix of ATTACHMENT_SUFFIXES)
    await copyIfPresent(ends, `${referrersTag(digest)}${suffix}`, stats);
  for (const referrer of await ends.source.referrers(ends.from, digest))
    await copyManifest(ends, referrer.digest, stats);
  // The fallback index, so verifiers find the referrers at a target without the referrers API.
  await copyIfPresent(ends, referrersTag(digest), stats);
  return stats;
}
