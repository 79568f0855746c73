/**
 * One check of an MCPGServer's image against its verify policy, where its pods pull it from (the registry
 * override when set, which is how an air-gapped cluster's mirror is named): the digest-pinned manifest must be
 * served with bytes matching its digest, a cosign signature by the policy's key or keyless identity must name
 * that digest, and no revocation list may revoke the digest, the key or the signer. The first failure decides.
 */
import type { KeyObject } from 'node:crypto';
import type { ServerSpec } from '@mcpg-functions/shared/api';
import type { ObjectClient } from '@mcpg-functions/shared/kube';
import { withRegistry } from '@mcpg-functions/shared/workloads';
import { credentialsFor, type Credentials } from '../oci/auth.ts';
import type { RegistryClient } from '../oci/client.ts';
import { pullFailureReason, RegistryError } from '../oci/errors.ts';
import { parseReference, type Reference } from '../oci/reference.ts';
import { registryClient } from '../plugin/pull-location.ts';
import { evaluateRevocation, type RevocationReason } from '../revocation/match.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { dockerConfig, isKeyProblem, keyFromSecret, MissingSource, revocationLists } from '../sources.ts';
import { verifyCosignKey } from '../verify/cosign-key.ts';
import { TRUSTED_ROOT_MISSING, verifyCosignKeyless } from '../verify/cosign-keyless.ts';
import type { Signer } from '../verify/keyless.ts';
import { keyFingerprint, pemPublicKey } from '../verify/keys.ts';

export type ImageReason =
  | 'ReferenceInvalid'
  | 'CredentialsUnavailable'
  | 'ImageNotFound'
  | 'PullFailed'
  | 'DigestMismatch'
  | 'TooLarge'
  | 'RegistryRefused'
  | 'KeyUnavailable'
  | 'TrustedRootMissing'
  | 'SignatureMissing'
  | 'SignatureInvalid'
  | 'RevocationUnknown'
  | RevocationReason;

export type ImageVerdict =
  | { verified: true; digest: string; message: string }
  | { verified: false; reason: ImageReason; message: string };

export interface ImageDeps {
  client: ObjectClient;
  settings: SupplyChainSettings;
  /** The pass's deadline. */
  signal: AbortSignal;
}

type Policy = NonNullable<ServerSpec['verify']>;

interface Vouchers {
  keys: KeyObject[];
  signers: Signer[];
}

const refuse = (reason: ImageReason, message: string): ImageVerdict => ({ verified: false, reason, message });

function pinnedReference(image: string): Reference | ImageVerdict {
  try {
    const reference = parseReference(image);
    if (reference.digest) return reference;
  } catch (error) {
    return refuse('ReferenceInvalid', `spec.image: ${(error as Error).message}`);
  }
  return refuse('ReferenceInvalid', `spec.image ${image} is not pinned by digest: add @sha256:<digest>`);
}

/** The first of the server's pull secrets with credentials for `registry`; none means anonymous. */
export async function pullCredentials(
  deps: ImageDeps,
  namespace: string,
  spec: ServerSpec,
  registry: string,
): Promise<Credentials | undefined> {
  for (const secret of spec.imagePullSecrets ?? []) {
    let document: string;
    try {
      document = await dockerConfig(deps.client, namespace, {
        secretName: secret.name,
        key: '.dockerconfigjson',
      });
    } catch (error) {
      if (error instanceof MissingSource)
        throw new Error(`spec.imagePullSecrets: ${error.message}`, { cause: error });
      throw error;
    }
    const found = credentialsFor(document, registry);
    if (found) return found;
  }
  return undefined;
}

interface SignatureCheck {
  deps: ImageDeps;
  namespace: string;
  policy: Policy;
  registry: RegistryClient;
  target: { repository: string; digest: string };
}

async function signatureCheck(check: SignatureCheck): Promise<Vouchers | ImageVerdict> {
  const { deps, namespace, policy, registry, target } = check;
  const vouchers: Vouchers = { keys: [], signers: [] };
  if (policy.cosignKeyRef) {
    const key = await keyFromSecret(deps.client, namespace, policy.cosignKeyRef, pemPublicKey);
    if (isKeyProblem(key)) return refuse(key.reason, `spec.verify.cosignKeyRef: ${key.message}`);
    const outcome = await verifyCosignKey(registry, target, key);
    if (!outcome.verified) return refuse(outcome.reason, outcome.message);
    vouchers.keys.push(key);
  }
  if (policy.cosignIdentity) {
    const root = deps.settings.trustedRoot;
    if (!root) return refuse('TrustedRootMissing', TRUSTED_ROOT_MISSING);
    const outcome = await verifyCosignKeyless(registry, target, policy.cosignIdentity, root);
    if (!outcome.verified) return refuse(outcome.reason, outcome.message);
    vouchers.signers.push(...outcome.signers);
  }
  return vouchers;
}

function registryFailure(error: unknown): ImageVerdict {
  if (!(error instanceof RegistryError)) throw error;
  if (error.code === 'NotFound') return refuse('ImageNotFound', error.message);
  return refuse(pullFailureReason(error), error.message);
}

export async function verifyImage(
  server: { namespace: string; spec: ServerSpec },
  deps: ImageDeps,
): Promise<ImageVerdict> {
  const { namespace, spec } = server;
  const policy = spec.verify;
  if (!policy) throw new Error('verifyImage needs spec.verify');
  const pulledFrom = withRegistry(spec.image, spec.registryOverride);
  const reference = pinnedReference(pulledFrom);
  if ('verified' in reference) return reference;
  const digest = reference.digest as string;
  let credentials: Credentials | undefined;
  try {
    credentials = await pullCredentials(deps, namespace, spec, reference.registry);
  } catch (error) {
    return refuse('CredentialsUnavailable', (error as Error).message);
  }
  const registry = registryClient(deps.settings, reference.registry, { credentials, signal: deps.signal });
  const target = { repository: reference.repository, digest };
  let vouchers: Vouchers | ImageVerdict;
  try {
    // The manifest must exist and hash to the pinned digest: a signature alone says nothing about what is served.
    await registry.manifest(reference.repository, digest);
    vouchers = await signatureCheck({ deps, namespace, policy, registry, target });
  } catch (error) {
    return registryFailure(error);
  }
  if ('verified' in vouchers) return vouchers;
  const revocation = evaluateRevocation(await revocationLists(deps.client), {
    manifestDigest: digest,
    keyFingerprints: vouchers.keys.map(keyFingerprint),
    signers: vouchers.signers,
  });
  if (revocation.state === 'revoked') return refuse(revocation.reason, revocation.message);
  if (revocation.state === 'unknown') return refuse('RevocationUnknown', revocation.message);
  return {
    verified: true,
    digest,
    message: `${pulledFrom} is signed as spec.verify requires and not revoked`,
  };
}
