import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundleProblem, type StoredBundle } from './cosign-bundle.ts';
import { preAuthenticationEncoding } from './dsse.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function bundle(
  statement: unknown,
  options: { key?: typeof privateKey; payloadType?: string; signedType?: string } = {},
): StoredBundle {
  const payload = Buffer.from(JSON.stringify(statement));
  const payloadType = options.payloadType ?? 'application/vnd.in-toto+json';
  const signed = preAuthenticationEncoding(options.signedType ?? payloadType, payload);
  return {
    manifestDigest: `sha256:${'f'.repeat(64)}`,
    bundle: {
      dsseEnvelope: {
        payload: payload.toString('base64'),
        payloadType,
        signatures: [{ sig: sign('sha256', signed, options.key ?? privateKey).toString('base64') }],
      },
    },
  };
}

const statement = (hex: string, predicateType = 'https://sigstore.dev/cosign/sign/v1') => ({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ digest: { sha256: hex } }],
  predicateType,
  predicate: {},
});

describe('bundleProblem', () => {
  it('accepts a DSSE bundle signed by the key over a statement naming the digest', () => {
    expect(bundleProblem(bundle(statement('A'.repeat(64))), DIGEST, [publicKey])).toBeUndefined();
  });

  it.each([
    {
      name: 'another key',
      stored: () => bundle(statement('a'.repeat(64)), { key: other.privateKey }),
      problem: /does not verify/,
    },
    {
      name: 'a swapped payload type',
      stored: () => bundle(statement('a'.repeat(64)), { signedType: 'text/plain' }),
      problem: /does not verify/,
    },
    { name: 'another digest', stored: () => bundle(statement('b'.repeat(64))), problem: /another digest/ },
    {
      name: 'another predicate',
      stored: () => bundle(statement('a'.repeat(64), 'https://slsa.dev/provenance/v1')),
      problem: /not a https:\/\/sigstore.dev\/cosign\/sign\/v1 statement/,
    },
    {
      name: 'no envelope',
      stored: () => ({ manifestDigest: DIGEST, bundle: { messageSignature: {} } }),
      problem: /no DSSE envelope/,
    },
  ])('refuses $name', ({ stored, problem }) => {
    expect(bundleProblem(stored(), DIGEST, [publicKey])).toMatch(problem);
  });
});
