/**
 * cosign's newer signature format: a Sigstore bundle stored as an OCI artifact whose `subject` is the signed
 * manifest, found through the referrers API (or its `sha256-<hex>` tag fallback). For image signatures the bundle
 * holds a DSSE envelope around an in-toto statement naming the manifest digest.
 */
import type { KeyObject } from 'node:crypto';
import { mapBounded } from '../bounded.ts';
import type { RegistryClient } from '../oci/client.ts';
import { tooMany } from './cosign-classic.ts';
import { isEnvelope, namesSubject, openEnvelope, parseStatement, payloadTypeProblem } from './dsse.ts';

export const BUNDLE_ARTIFACT = 'application/vnd.dev.sigstore.bundle';
const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const BUNDLE_LIMIT = 1024 * 1024;

export interface StoredBundle {
  /** Digest of the OCI manifest that holds the bundle. */
  manifestDigest: string;
  bundle: { mediaType?: string; dsseEnvelope?: unknown; messageSignature?: unknown };
}

/** Bundles attached to `digest` whose manifest really names it as subject. */
export async function bundlesFor(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<StoredBundle[]> {
  const referrers = (await client.referrers(repository, digest)).filter((d) =>
    (d.artifactType ?? '').startsWith(BUNDLE_ARTIFACT),
  );
  tooMany(referrers.length, client.limits.signatures, `the referrers of ${repository}@${digest}`);
  const found = await mapBounded(referrers, client.limits.concurrency, async (referrer) => {
    const manifest = await client.manifest(repository, referrer.digest);
    const layer = manifest.document.layers?.find((l) => l.mediaType.startsWith(BUNDLE_ARTIFACT));
    if (manifest.document.subject?.digest !== digest || !layer) return undefined;
    const bytes = await client.blob(repository, layer, BUNDLE_LIMIT);
    try {
      return {
        manifestDigest: manifest.digest,
        bundle: JSON.parse(bytes.toString('utf8')) as StoredBundle['bundle'],
      };
    } catch {
      return undefined;
    }
  });
  return found.filter((bundle): bundle is StoredBundle => bundle !== undefined);
}

/** Why a bundle does not vouch for `digest` with one of `keys`, or undefined when it does. */
export function bundleProblem(
  stored: StoredBundle,
  digest: string,
  keys: readonly KeyObject[],
): string | undefined {
  const envelope: unknown = stored.bundle.dsseEnvelope;
  if (!isEnvelope(envelope))
    return 'the bundle holds no DSSE envelope (message-signature bundles are not image signatures)';
  const payloadType = payloadTypeProblem(envelope);
  if (payloadType) return payloadType;
  const payload = openEnvelope(envelope, keys);
  if (!payload) return 'the bundle signature does not verify with the cosign key';
  return statementProblem(payload, digest);
}

/** Why a bundle's signed statement does not vouch for `digest` as a cosign image signature. */
export function statementProblem(payload: Buffer, digest: string): string | undefined {
  const statement = parseStatement(payload);
  if (statement?.predicateType !== COSIGN_SIGN_PREDICATE)
    return `the bundle's statement is not a ${COSIGN_SIGN_PREDICATE} statement`;
  if (!namesSubject(statement, digest.replace(/^sha256:/, '')))
    return `the bundle is for another digest than the pulled ${digest}`;
  return undefined;
}
