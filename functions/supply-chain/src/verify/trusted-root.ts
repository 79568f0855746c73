/**
 * A Sigstore trusted root (`trusted_root.json`), read from a file once at start: the certificate authorities that
 * issue keyless signing certificates and the transparency-log keys that vouch for when a signature was made.
 * Loaded as given, without TUF: in an air-gapped cluster the file is the trust decision.
 */
import { createHash, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';

const validFor = z.object({ start: z.string().optional(), end: z.string().optional() }).optional();

const trustedRootFile = z.object({
  tlogs: z.array(z.object({ publicKey: z.object({ rawBytes: z.string(), validFor }) })).default([]),
  certificateAuthorities: z
    .array(
      z.object({
        certChain: z.object({ certificates: z.array(z.object({ rawBytes: z.string() })).min(1) }),
        validFor,
      }),
    )
    .default([]),
});

export interface TrustedRoot {
  /** Every CA certificate (roots and intermediates) keyless certificates may chain to. */
  authorities: X509Certificate[];
  /** Transparency-log keys by log id (hex sha256 of the DER public key). */
  logs: Map<string, KeyObject>;
}

export function parseTrustedRoot(json: string): TrustedRoot {
  let parsed;
  try {
    parsed = trustedRootFile.parse(JSON.parse(json));
  } catch (error) {
    throw new Error(`the trusted root is not a Sigstore trusted_root.json: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const authorities = parsed.certificateAuthorities.flatMap((ca) =>
    ca.certChain.certificates.map((c) => new X509Certificate(Buffer.from(c.rawBytes, 'base64'))),
  );
  const logs = new Map<string, KeyObject>();
  for (const log of parsed.tlogs) {
    const der = Buffer.from(log.publicKey.rawBytes, 'base64');
    logs.set(
      createHash('sha256').update(der).digest('hex'),
      createPublicKey({ key: der, format: 'der', type: 'spki' }),
    );
  }
  return { authorities, logs };
}

/** The key of the transparency log `logID` (hex), or why the trusted root has none. */
export function trustedLogKey(root: TrustedRoot, logID: string): KeyObject | string {
  return root.logs.get(logID) ?? `its transparency log ${logID || '(none)'} is not in the trusted root`;
}

/** Whether `signature` over `data` verifies with a transparency-log key: ECDSA over SHA-256 (Rekor's), or Ed25519. */
export function logSignatureValid(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key, signature);
}
