/**
 * Revocation, decided purely from what a verification established: the plugin binary's sha256, the manifest
 * digest, the keys that vouched for it and the keyless signers. Every list counts; one list that cannot be read
 * makes the answer unknown, and unknown is treated as revoked (fail-closed).
 */
import { requireKind, type RevocationListSpec } from '@mcpg-functions/shared/api';

const LIST_SPEC = requireKind('MCPGRevocationList').spec;

export interface VerifiedFacts {
  /** A plugin's binary; an image has none. */
  binarySha256?: string | undefined;
  manifestDigest: string;
  /** sha256 (hex) of the DER public keys whose signatures were accepted. */
  keyFingerprints: string[];
  signers: { subject: string; issuer: string }[];
}

export type RevocationReason = 'ArtifactRevoked' | 'DigestRevoked' | 'KeyRevoked' | 'SignerRevoked';

export type RevocationVerdict =
  | { state: 'clear'; lists: number }
  | { state: 'revoked'; reason: RevocationReason; list: string; message: string }
  | { state: 'unknown'; list: string; message: string };

export interface ListObject {
  metadata: { name: string };
  spec?: unknown;
}

type Entry = RevocationListSpec['revocations'][number];

function entryMatch(entry: Entry, facts: VerifiedFacts): RevocationReason | undefined {
  if (
    entry.artifactSha256 !== undefined &&
    facts.binarySha256 !== undefined &&
    entry.artifactSha256.trim().toLowerCase() === facts.binarySha256
  )
    return 'ArtifactRevoked';
  if (entry.ociDigest !== undefined && entry.ociDigest === facts.manifestDigest) return 'DigestRevoked';
  if (
    entry.publicKeySha256 !== undefined &&
    facts.keyFingerprints.includes(entry.publicKeySha256.trim().toLowerCase())
  )
    return 'KeyRevoked';
  const signer = entry.signerIdentity;
  if (
    signer !== undefined &&
    facts.signers.some(
      (s) => s.subject === signer.subject && (signer.issuer === undefined || s.issuer === signer.issuer),
    )
  )
    return 'SignerRevoked';
  return undefined;
}

const WHAT: Record<RevocationReason, string> = {
  ArtifactRevoked: 'the plugin binary',
  DigestRevoked: 'the artifact digest',
  KeyRevoked: 'a signing key that vouched for it',
  SignerRevoked: 'a signer that vouched for it',
};

export function evaluateRevocation(lists: readonly ListObject[], facts: VerifiedFacts): RevocationVerdict {
  for (const list of [...lists].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const parsed = LIST_SPEC.safeParse(list.spec ?? {});
    if (!parsed.success)
      return {
        state: 'unknown',
        list: list.metadata.name,
        message: `revocation list ${list.metadata.name} is invalid (${parsed.error.issues[0]?.message ?? 'unreadable'}); fix it before plugins can be trusted`,
      };
    for (const entry of (parsed.data as RevocationListSpec).revocations) {
      const reason = entryMatch(entry, facts);
      if (reason)
        return {
          state: 'revoked',
          reason,
          list: list.metadata.name,
          message: revokedMessage(list.metadata.name, `${WHAT[reason]}: ${entry.reason}`),
        };
    }
  }
  return { state: 'clear', lists: lists.length };
}

const REVOKED_BY = /^revocation list (\S+) revokes /;

/** The Revoked condition's message; it names the list first so the list can report what it blocks. */
export function revokedMessage(list: string, what: string): string {
  return `revocation list ${list} revokes ${what}`;
}

/** The list a Revoked condition message names, if it is one of ours. */
export function revokingList(message: string | undefined): string | undefined {
  return message === undefined ? undefined : REVOKED_BY.exec(message)?.[1];
}
