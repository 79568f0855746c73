/**
 * The referrers of a digest (manifests whose `subject` it is): the referrers API, or, where the registry lacks
 * it, the index kept at the `sha256-<hex>` tag. A registry listing more than the client reads is refused rather
 * than read in part: which part would be the registry's choice.
 */
import { RegistryError } from './errors.ts';
import { readJson, statusError } from './replies.ts';
import type { RegistrySession } from './session.ts';
import { MediaTypes, type Descriptor, type Manifest, type ManifestDocument } from './types.ts';

/** The tag under which the referrers of a digest are kept where the registry has no referrers API. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

function capped(found: Descriptor[] | undefined, limit: number, what: string): Descriptor[] {
  const list = found ?? [];
  if (list.length > limit)
    throw new RegistryError('TooLarge', `${what}: ${list.length} referrers, more than the ${limit} read`);
  return list;
}

export interface ReferrerReads {
  session: RegistrySession;
  /** Reads a manifest by tag (the fallback index), as the client does. */
  manifest: (repository: string, ref: string) => Promise<Manifest>;
  manifestLimit: number;
  limit: number;
}

export async function referrers(
  reads: ReferrerReads,
  repository: string,
  digest: string,
): Promise<Descriptor[]> {
  const what = `referrers of ${repository}@${digest}`;
  const response = await reads.session.send({
    method: 'GET',
    path: `/v2/${repository}/referrers/${digest}`,
    repository,
    actions: 'pull',
    headers: { accept: MediaTypes.ociIndex },
  });
  const type = response.headers.get('content-type') ?? '';
  if (response.ok && type.startsWith(MediaTypes.ociIndex)) {
    const index = await readJson<ManifestDocument>(response, reads.manifestLimit, what);
    return capped(index.manifests, reads.limit, what);
  }
  await response.body?.cancel();
  if (!response.ok && response.status !== 404) throw statusError(response, what);
  try {
    const index = await reads.manifest(repository, referrersTag(digest));
    return capped(index.document.manifests, reads.limit, what);
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NotFound') return [];
    throw error;
  }
}
