/**
 * Keyless cosign verification over both formats cosign writes: classic `.sig` layers carrying a certificate, and
 * Sigstore bundles among the referrers. One signature whose certificate, identity and log entry hold, and which
 * names the pulled digest, is enough; every signer that passed is reported.
 */
import type { RegistryClient } from '../oci/client.ts';
import { bundlesFor } from './cosign-bundle.ts';
import { classicSignatures, signatureTag } from './cosign-classic.ts';
import { cosignOutcome, type CosignOutcome } from './cosign-key.ts';
import { verifyKeyless, type KeylessIdentity, type Signer } from './keyless.ts';
import { verifyKeylessBundle } from './keyless-bundle.ts';
import type { TrustedRoot } from './trusted-root.ts';

export type KeylessOutcome =
  (CosignOutcome & { verified: false }) | { verified: true; detail: string; signers: Signer[] };

export async function verifyCosignKeyless(
  client: RegistryClient,
  target: { repository: string; digest: string },
  trust: { identity: KeylessIdentity; root: TrustedRoot },
): Promise<KeylessOutcome> {
  const { repository, digest } = target;
  const [classic, bundles] = await Promise.all([
    classicSignatures(client, repository, digest),
    bundlesFor(client, repository, digest),
  ]);
  const signatures = classic.filter((s) => s.certificate !== undefined);
  const keylessBundles = bundles.filter((b) => 'verificationMaterial' in b.bundle);
  if (signatures.length + keylessBundles.length === 0)
    return {
      verified: false,
      reason: 'SignatureMissing',
      message: `no keyless cosign signature for ${digest}: no ${signatureTag(digest)} with a certificate and no Sigstore bundle with one`,
    };
  const context = { digest, ...trust };
  const verdicts = [
    ...signatures.map((s) => verifyKeyless(s, context)),
    ...keylessBundles.map((b) => verifyKeylessBundle(b, context)),
  ];
  const outcome = cosignOutcome(
    verdicts.map((v) => ('problem' in v ? v.problem : undefined)),
    digest,
  );
  if (!outcome.verified) return outcome;
  return { ...outcome, signers: verdicts.flatMap((v) => ('signer' in v ? [v.signer] : [])) };
}
