import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyDetached } from './ed25519.ts';
import { ed25519PublicKey, keyFingerprint } from './keys.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const der = publicKey.export({ format: 'der', type: 'spki' });
const raw = der.subarray(der.length - 32);

describe('ed25519PublicKey', () => {
  it.each([
    { encoding: 'raw bytes', stored: raw },
    { encoding: 'standard base64', stored: Buffer.from(raw.toString('base64')) },
    { encoding: 'URL-safe base64', stored: Buffer.from(raw.toString('base64url')) },
    { encoding: 'hex', stored: Buffer.from(`${raw.toString('hex')}\n`) },
    { encoding: 'PEM', stored: Buffer.from(publicKey.export({ format: 'pem', type: 'spki' })) },
  ])('decodes $encoding to the same key', ({ stored }) => {
    expect(keyFingerprint(ed25519PublicKey(stored))).toBe(keyFingerprint(publicKey));
  });

  it('refuses a value of the wrong length, saying what is accepted', () => {
    expect(() => ed25519PublicKey(Buffer.from('c2hvcnQ='))).toThrow(
      /PEM, 32 raw bytes, base64 of 32 bytes or 64 hex/,
    );
  });

  it('refuses a PEM key of another type', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'pem',
      type: 'spki',
    });
    expect(() => ed25519PublicKey(Buffer.from(ec))).toThrow(/ec key, not Ed25519/);
  });
});

describe('verifyDetached', () => {
  const binary = Buffer.from('plugin');
  it.each([
    { name: 'a valid signature', sig: sign(null, binary, privateKey), expected: { valid: true } },
    { name: 'no signature', sig: undefined, expected: { valid: false, reason: 'SignatureMissing' } },
    {
      name: 'a short signature',
      sig: Buffer.alloc(10),
      expected: { valid: false, reason: 'SignatureInvalid' },
    },
    {
      name: 'a signature over other bytes',
      sig: sign(null, Buffer.from('x'), privateKey),
      expected: { valid: false, reason: 'SignatureInvalid' },
    },
  ])('$name', ({ sig, expected }) => {
    expect(verifyDetached(binary, sig, ed25519PublicKey(raw))).toMatchObject(expected);
  });
});
