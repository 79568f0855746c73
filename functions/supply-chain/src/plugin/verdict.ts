/** What one verification pass concluded, from which the status is derived (see status.ts). */
import type { RevocationReason } from '../revocation/match.ts';

export type PullReason =
  | 'MirrorUnresolved'
  | 'CredentialsUnavailable'
  | 'ReferenceInvalid'
  | 'PullFailed'
  | 'DigestMismatch'
  | 'TooLarge'
  | 'RegistryRefused'
  | 'ArtifactInvalid';

export type VerifyReason =
  | 'DescriptorMismatch'
  | 'KeyUnavailable'
  | 'SignatureMissing'
  | 'SignatureInvalid'
  | 'TrustedRootMissing'
  | 'ProvenanceMissing'
  | 'ProvenanceUnsigned'
  | 'ProvenanceMismatch';

export interface Checks {
  signatureValid?: boolean;
  cosignVerified?: boolean;
  slsaVerified?: boolean;
}

interface Pulled {
  /** Digest-pinned reference at the place it was pulled from (the mirror when mirrored). */
  artifact: string;
  manifestDigest: string;
  binarySha256: string;
  checks: Checks;
}

export type PluginVerdict =
  | { stage: 'pull'; reason: PullReason; message: string }
  | (Pulled & { stage: 'verify'; reason: VerifyReason; message: string })
  | (Pulled & { stage: 'revoked'; reason: RevocationReason; message: string })
  | (Pulled & { stage: 'revocationUnknown'; message: string })
  | (Pulled & { stage: 'verified'; message: string });
