/**
 * One verification pass over an MCPGPlugin: pull (at the mirror when mirrored), check the descriptor id, run
 * every configured check against the pulled bytes and digest, then revocation. The first failure decides the
 * verdict; nothing is trusted that was not checked in this pass.
 */
import type { KeyObject } from 'node:crypto';
import type { PluginSpec } from '@mcpg-functions/shared/api';
import type { ObjectClient } from '@mcpg-functions/shared/kube';
import { ArtifactError, pullPlugin, type PluginArtifact } from '../artifact/plugin-artifact.ts';
import { pullFailureReason, RegistryError } from '../oci/errors.ts';
import { manifestRef, pinned } from '../oci/reference.ts';
import { evaluateRevocation, type VerifiedFacts } from '../revocation/match.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { verifyCosignKey } from '../verify/cosign-key.ts';
import { TRUSTED_ROOT_MISSING, verifyCosignKeyless } from '../verify/cosign-keyless.ts';
import type { Signer } from '../verify/keyless.ts';
import { verifyDetached } from '../verify/ed25519.ts';
import { verifyProvenance } from '../verify/slsa.ts';
import { ed25519PublicKey, keyFingerprint, pemPublicKey } from '../verify/keys.ts';
import { LocationError, pullLocation, type PullLocation } from './pull-location.ts';
import { configMapValue, isKeyProblem, keyFromSecret, MissingSource, revocationLists } from '../sources.ts';
import type { Checks, PluginVerdict, PullReason, VerifyReason } from './verdict.ts';

export interface VerifyDeps {
  client: ObjectClient;
  settings: SupplyChainSettings;
  /** The pass's deadline. */
  signal: AbortSignal;
}

type CheckResult =
  | { ok: true; checks: Checks; key?: KeyObject; signers?: Signer[] }
  | { ok: false; checks: Checks; reason: VerifyReason; message: string };

interface CheckInput {
  spec: PluginSpec;
  artifact: PluginArtifact;
  location: PullLocation;
  deps: VerifyDeps;
  /** Keys earlier checks loaded and accepted: provenance must be signed by one of them. */
  trustedKeys: KeyObject[];
}

function pullFailure(error: unknown): { reason: PullReason; message: string } {
  if (error instanceof LocationError) return { reason: error.reason, message: error.message };
  if (error instanceof ArtifactError) return { reason: 'ArtifactInvalid', message: error.message };
  if (error instanceof RegistryError) return { reason: pullFailureReason(error), message: error.message };
  throw error;
}

async function ed25519Check({ spec, artifact, deps }: CheckInput): Promise<CheckResult | undefined> {
  const ref = spec.trust.signingKeyRef;
  if (!ref) return undefined;
  const key = await keyFromSecret(deps.client, deps.settings.operatorNamespace, ref, ed25519PublicKey);
  if (isKeyProblem(key)) return { ok: false, checks: { signatureValid: false }, ...key };
  const outcome = verifyDetached(artifact.binary, artifact.signature, key);
  return outcome.valid
    ? { ok: true, checks: { signatureValid: true }, key }
    : { ok: false, checks: { signatureValid: false }, reason: outcome.reason, message: outcome.message };
}

async function cosignKeyCheck({
  spec,
  artifact,
  location,
  deps,
}: CheckInput): Promise<CheckResult | undefined> {
  const ref = spec.trust.cosignKeyRef;
  if (!ref) return undefined;
  const key = await keyFromSecret(deps.client, deps.settings.operatorNamespace, ref, pemPublicKey);
  if (isKeyProblem(key)) return { ok: false, checks: { cosignVerified: false }, ...key };
  // Signatures are read where the artifact was pulled from: the mirror holds them when mirrored.
  const outcome = await verifyCosignKey(
    location.registry,
    { repository: location.reference.repository, digest: artifact.manifestDigest },
    key,
  );
  return outcome.verified
    ? { ok: true, checks: { cosignVerified: true }, key }
    : { ok: false, checks: { cosignVerified: false }, reason: outcome.reason, message: outcome.message };
}

async function keylessCheck({
  spec,
  artifact,
  location,
  deps,
}: CheckInput): Promise<CheckResult | undefined> {
  const wanted = spec.trust.cosignIdentity;
  if (!wanted) return undefined;
  const root = deps.settings.trustedRoot;
  if (!root)
    return {
      ok: false,
      checks: { cosignVerified: false },
      reason: 'TrustedRootMissing',
      message: TRUSTED_ROOT_MISSING,
    };
  const target = { repository: location.reference.repository, digest: artifact.manifestDigest };
  const outcome = await verifyCosignKeyless(location.registry, target, wanted, root);
  return outcome.verified
    ? { ok: true, checks: { cosignVerified: true }, signers: outcome.signers }
    : { ok: false, checks: { cosignVerified: false }, reason: outcome.reason, message: outcome.message };
}

const PROVENANCE_KEY = 'provenance.intoto.jsonl';

async function provenanceCheck({
  spec,
  artifact,
  deps,
  trustedKeys,
}: CheckInput): Promise<CheckResult | undefined> {
  const wanted = spec.trust.slsaProvenance;
  if (!wanted) return undefined;
  let jsonl: string;
  try {
    jsonl = await configMapValue(deps.client, deps.settings.operatorNamespace, {
      name: wanted.configMapName,
      key: PROVENANCE_KEY,
    });
  } catch (error) {
    if (!(error instanceof MissingSource)) throw error;
    return {
      ok: false,
      checks: { slsaVerified: false },
      reason: 'ProvenanceMissing',
      message: error.message,
    };
  }
  const outcome = verifyProvenance(jsonl, { binarySha256: artifact.binarySha256, ...wanted }, trustedKeys);
  return outcome.ok
    ? { ok: true, checks: { slsaVerified: true } }
    : { ok: false, checks: { slsaVerified: false }, reason: outcome.reason, message: outcome.message };
}

// Provenance comes last: it is checked with the keys the signature checks accepted.
const CHECKS = [ed25519Check, cosignKeyCheck, keylessCheck, provenanceCheck];

async function runChecks(
  input: Omit<CheckInput, 'trustedKeys'>,
): Promise<{ failed?: CheckResult & { ok: false }; checks: Checks; keys: KeyObject[]; signers: Signer[] }> {
  let checks: Checks = {};
  const keys: KeyObject[] = [];
  const signers: Signer[] = [];
  for (const check of CHECKS) {
    const result = await check({ ...input, trustedKeys: keys });
    if (!result) continue;
    checks = { ...checks, ...result.checks };
    if (!result.ok) return { failed: result, checks, keys, signers };
    if (result.key) keys.push(result.key);
    signers.push(...(result.signers ?? []));
  }
  return { checks, keys, signers };
}

/** Verifies at the plugin's own pull location (the mirror when it names one). */
export async function verifyPlugin(spec: PluginSpec, deps: VerifyDeps): Promise<PluginVerdict> {
  let location: PullLocation;
  try {
    location = await pullLocation(deps, spec);
  } catch (error) {
    return { stage: 'pull', ...pullFailure(error) };
  }
  return verifyAt(spec, location, deps);
}

/** Verifies the artifact at `location`: what the mirror does upstream before it copies anything. */
export async function verifyAt(
  spec: PluginSpec,
  location: PullLocation,
  deps: VerifyDeps,
): Promise<PluginVerdict> {
  let artifact: PluginArtifact;
  try {
    const target = { repository: location.reference.repository, ref: manifestRef(location.reference) };
    ({ artifact } = await pullPlugin(location.registry, target, {
      packageBytes: deps.settings.packageBytes,
    }));
  } catch (error) {
    return { stage: 'pull', ...pullFailure(error) };
  }
  const pulled = {
    artifact: pinned(location.reference, artifact.manifestDigest),
    manifestDigest: artifact.manifestDigest,
    binarySha256: artifact.binarySha256,
  };
  if (artifact.id !== spec.pluginId)
    return {
      stage: 'verify',
      ...pulled,
      checks: {},
      reason: 'DescriptorMismatch',
      message: `the artifact's plugin.yaml says id "${artifact.id}", not spec.pluginId "${spec.pluginId}"`,
    };
  let ran;
  try {
    ran = await runChecks({ spec, artifact, location, deps });
  } catch (error) {
    if (error instanceof RegistryError) return { stage: 'pull', ...pullFailure(error) };
    throw error;
  }
  if (ran.failed)
    return {
      stage: 'verify',
      ...pulled,
      checks: ran.checks,
      reason: ran.failed.reason,
      message: ran.failed.message,
    };
  const facts: VerifiedFacts = {
    binarySha256: artifact.binarySha256,
    manifestDigest: artifact.manifestDigest,
    keyFingerprints: ran.keys.map(keyFingerprint),
    signers: ran.signers,
  };
  const verdict = evaluateRevocation(await revocationLists(deps.client), facts);
  const base = { ...pulled, checks: ran.checks };
  if (verdict.state === 'revoked')
    return { stage: 'revoked', ...base, reason: verdict.reason, message: verdict.message };
  if (verdict.state === 'unknown') return { stage: 'revocationUnknown', ...base, message: verdict.message };
  return { stage: 'verified', ...base, message: `no entry in ${verdict.lists} revocation list(s) matches` };
}
