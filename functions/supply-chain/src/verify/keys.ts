/** Public keys as users store them in Secrets, decoded into node:crypto keys, and their revocation identity. */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

function rawEd25519Bytes(text: Buffer): Buffer | undefined {
  if (text.length === 32) return text;
  const trimmed = text.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+=*$/.test(trimmed)) {
    const decoded = Buffer.from(
      trimmed,
      trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64',
    );
    return decoded.length === 32 ? decoded : undefined;
  }
  return undefined;
}

/** An Ed25519 public key given as PEM, 32 raw bytes, base64 (standard or URL-safe) or 64 hex digits. */
export function ed25519PublicKey(stored: Buffer): KeyObject {
  if (stored.toString('utf8').includes('-----BEGIN PUBLIC KEY-----')) {
    const key = createPublicKey(stored);
    if (key.asymmetricKeyType !== 'ed25519')
      throw new KeyError(`the key is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
    return key;
  }
  const raw = rawEd25519Bytes(stored);
  if (!raw)
    throw new KeyError(
      'the Ed25519 public key must be PEM, 32 raw bytes, base64 of 32 bytes or 64 hex digits',
    );
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** A cosign public key (PEM, ECDSA P-256 as `cosign generate-key-pair` writes, or Ed25519 / RSA). */
export function pemPublicKey(stored: Buffer): KeyObject {
  try {
    return createPublicKey(stored);
  } catch (error) {
    throw new KeyError(`the cosign public key is not a PEM public key: ${(error as Error).message}`);
  }
}

/** sha256 of the key's DER SubjectPublicKeyInfo: how revocation lists name keys. */
export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}
