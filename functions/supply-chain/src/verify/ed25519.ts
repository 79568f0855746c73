/** MCPG's keyed baseline: a raw 64-byte Ed25519 signature over the plugin binary's bytes. */
import { verify, type KeyObject } from 'node:crypto';

export type Ed25519Outcome =
  { valid: true } | { valid: false; reason: 'SignatureMissing' | 'SignatureInvalid'; message: string };

export function verifyDetached(
  binary: Buffer,
  signature: Buffer | undefined,
  key: KeyObject,
): Ed25519Outcome {
  if (!signature)
    return {
      valid: false,
      reason: 'SignatureMissing',
      message: 'the package has no plugin.sig (or plugin.so.sig)',
    };
  if (signature.length !== 64)
    return {
      valid: false,
      reason: 'SignatureInvalid',
      message: `plugin.sig is ${signature.length} bytes; an Ed25519 signature is 64`,
    };
  return verify(null, binary, key, signature)
    ? { valid: true }
    : {
        valid: false,
        reason: 'SignatureInvalid',
        message: 'plugin.sig does not verify against the signing key for these plugin bytes',
      };
}
