/**
 * Keyless cosign verification over both formats cosign writes: classic `.sig` tags whose layers carry a
 * certificate, and Sigstore bundles among the referrers. One signature that passes (certificate, identity, log
 * entry, payload naming the digest) is enough; the signers of every passing signature are returned, since
 * revocation may name any of them.
 */
import type { KeylessIdentitySpec } from '@mcpg-functions/shared/api';
import type { RegistryClient } from '../oci/client.ts';
import { bundlesFor } from './cosign-bundle.ts';
import { classicSignatures, signatureTag } from './cosign-classic.ts';
import { cosignOutcome, type CosignOutcome } from './cosign-key.ts';
import { verifyKeyless, type Signer } from './keyless.ts';
import { verifyKeylessBundle } from './keyless-bundle.ts';
import type { TrustedRoot } from './trusted-root.ts';

export const TRUSTED_ROOT_MISSING =
  'keyless signatures need a Sigstore trusted root: set MCPG_SIGSTORE_TRUSTED_ROOT';

export type KeylessOutcome =
  (CosignOutcome & { verified: true; signers: Signer[] }) | (CosignOutcome & { verified: false });

export async function verifyCosignKeyless(
  client: RegistryClient,
  target: { repository: string; digest: string },
  wanted: KeylessIdentitySpec,
  root: TrustedRoot,
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
  const identity = {
    subject: wanted.certificateIdentity,
    subjectRegexp: wanted.certificateIdentityRegexp,
    issuer: wanted.oidcIssuer,
  };
  const verdicts = [
    ...signatures.map((s) => verifyKeyless(s, { digest, identity, root })),
    ...keylessBundles.map((b) => verifyKeylessBundle(b, { digest, identity, root })),
  ];
  const outcome = cosignOutcome(
    verdicts.map((v) => ('problem' in v ? v.problem : undefined)),
    digest,
  );
  if (!outcome.verified) return outcome;
  return { ...outcome, signers: verdicts.flatMap((v) => ('signer' in v ? [v.signer] : [])) };
}
