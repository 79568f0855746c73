/**
 * Key-based cosign verification over both formats cosign writes: classic `.sig` tags and Sigstore bundles among
 * the referrers. One signature that verifies with the key and names the pulled digest is enough.
 */
import type { KeyObject } from 'node:crypto';
import type { RegistryClient } from '../oci/client.ts';
import { bundleProblem, bundlesFor } from './cosign-bundle.ts';
import { classicProblem, classicSignatures, signatureTag } from './cosign-classic.ts';

export type CosignOutcome =
  | { verified: true; detail: string }
  | { verified: false; reason: 'SignatureMissing' | 'SignatureInvalid'; message: string };

/** The outcome from each signature's problem (undefined: that signature vouches for the digest). */
export function cosignOutcome(problems: readonly (string | undefined)[], digest: string): CosignOutcome {
  if (problems.length === 0)
    return {
      verified: false,
      reason: 'SignatureMissing',
      message: `no cosign signature for ${digest}: no ${signatureTag(digest)} tag and no Sigstore bundle among its referrers`,
    };
  const passing = problems.filter((p) => p === undefined).length;
  if (passing > 0) return { verified: true, detail: `${passing} of ${problems.length} signatures verified` };
  const reasons = [...new Set(problems)].join('; ');
  return {
    verified: false,
    reason: 'SignatureInvalid',
    message: `0/${problems.length} cosign signatures verified: ${reasons}`,
  };
}

export async function verifyCosignKey(
  client: RegistryClient,
  target: { repository: string; digest: string },
  key: KeyObject,
): Promise<CosignOutcome> {
  const { repository, digest } = target;
  const [classic, bundles] = await Promise.all([
    classicSignatures(client, repository, digest),
    bundlesFor(client, repository, digest),
  ]);
  return cosignOutcome(
    [
      ...classic.map((c) => classicProblem(c, digest, key)),
      ...bundles.map((b) => bundleProblem(b, digest, [key])),
    ],
    digest,
  );
}
