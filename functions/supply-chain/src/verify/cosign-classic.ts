/**
 * cosign's classic signature format: the manifest tagged `sha256-<hex>.sig` beside the signed image, one layer
 * per signature, each layer's blob the signed "simple signing" payload and its annotations the signature (and,
 * for keyless signatures, the certificate). A signature counts only when it verifies with the trusted key and its
 * payload names exactly the digest that was pulled.
 */
import { verify, type KeyObject } from 'node:crypto';
import { mapBounded } from '../bounded.ts';
import type { RegistryClient } from '../oci/client.ts';
import { RegistryError } from '../oci/errors.ts';

export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
const PAYLOAD_LIMIT = 128 * 1024;
const SIGNATURE_TYPE = 'cosign container image signature';

export interface ClassicSignature {
  payload: Buffer;
  signature: Buffer;
  certificate?: string | undefined;
  /** The transparency-log bundle (Rekor's signed entry timestamp and entry). */
  bundle?: string | undefined;
}

export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** More signatures than the function reads are refused, not read in part (which part would be the registry's choice). */
export function tooMany(found: number, limit: number, where: string): void {
  if (found > limit)
    throw new RegistryError('TooLarge', `${where} holds ${found} signatures, more than the ${limit} read`);
}

/** The signatures stored for `digest` in `repository`; none when the `.sig` tag does not exist. */
export async function classicSignatures(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<ClassicSignature[]> {
  let manifest;
  try {
    manifest = await client.manifest(repository, signatureTag(digest));
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NotFound') return [];
    throw error;
  }
  const layers = (manifest.document.layers ?? []).filter(
    (layer) => layer.mediaType === SIMPLE_SIGNING && layer.annotations?.[SIGNATURE_ANNOTATION] !== undefined,
  );
  tooMany(layers.length, client.limits.signatures, `${repository}:${signatureTag(digest)}`);
  return mapBounded(layers, client.limits.concurrency, async (layer) => ({
    payload: await client.blob(repository, layer, PAYLOAD_LIMIT),
    signature: Buffer.from(layer.annotations?.[SIGNATURE_ANNOTATION] ?? '', 'base64'),
    certificate: layer.annotations?.[CERTIFICATE_ANNOTATION],
    bundle: layer.annotations?.[BUNDLE_ANNOTATION],
  }));
}

function caseInsensitive(object: unknown, key: string): unknown {
  if (typeof object !== 'object' || object === null) return undefined;
  const match = Object.keys(object).find((k) => k.toLowerCase() === key);
  return match === undefined ? undefined : (object as Record<string, unknown>)[match];
}

/** Why a payload does not vouch for `digest`, or undefined when it does. */
export function payloadProblem(payload: Buffer, digest: string): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'the signed payload is not JSON';
  }
  const critical = caseInsensitive(document, 'critical');
  if (caseInsensitive(critical, 'type') !== SIGNATURE_TYPE)
    return `the signed payload's critical.type is not "${SIGNATURE_TYPE}"`;
  const signed = caseInsensitive(caseInsensitive(critical, 'image'), 'docker-manifest-digest');
  if (signed !== digest) return `the signature is for ${String(signed)}, not the pulled ${digest}`;
  return undefined;
}

/** Why a classic signature does not vouch for `digest` with `key`, or undefined when it does. */
export function classicProblem(
  candidate: ClassicSignature,
  digest: string,
  key: KeyObject,
): string | undefined {
  const hash = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  if (!verify(hash, candidate.payload, key, candidate.signature))
    return 'the signature does not verify with the cosign key';
  return payloadProblem(candidate.payload, digest);
}
