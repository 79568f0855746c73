import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classicProblem, payloadProblem } from './cosign-classic.ts';
import { cosignOutcome } from './cosign-key.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const payload = (digest: string, key = 'docker-manifest-digest', type = 'cosign container image signature') =>
  Buffer.from(
    JSON.stringify({
      critical: { identity: { 'docker-reference': 'r' }, image: { [key]: digest }, type },
      optional: null,
    }),
  );

describe('payloadProblem', () => {
  it.each([
    { name: 'the pulled digest', body: payload(DIGEST), problem: undefined },
    { name: 'the key in another case', body: payload(DIGEST, 'Docker-manifest-digest'), problem: undefined },
    {
      name: 'another digest',
      body: payload(`sha256:${'d'.repeat(64)}`),
      problem: /is for sha256:d+, not the pulled/,
    },
    { name: 'another type', body: payload(DIGEST, undefined, 'x'), problem: /critical.type/ },
    { name: 'no JSON', body: Buffer.from('{'), problem: /not JSON/ },
  ])('with $name', ({ body, problem }) => {
    const found = payloadProblem(body, DIGEST);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('classicProblem and cosignOutcome', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signed = (body: Buffer, key = privateKey) => ({
    payload: body,
    signature: sign('sha256', body, key),
  });
  const judge = (sigs: { payload: Buffer; signature: Buffer }[]) =>
    cosignOutcome(
      sigs.map((s) => classicProblem(s, DIGEST, publicKey)),
      DIGEST,
    );

  it('accepts when one of several signatures verifies and names the digest', () => {
    expect(judge([signed(payload(DIGEST), other.privateKey), signed(payload(DIGEST))])).toEqual({
      verified: true,
      detail: '1 of 2 signatures verified',
    });
  });

  it.each([
    { name: 'no signatures', sigs: () => [], reason: 'SignatureMissing', message: /no sha256-c+\.sig tag/ },
    {
      name: 'a signature by another key',
      sigs: () => [signed(payload(DIGEST), other.privateKey)],
      reason: 'SignatureInvalid',
      message: /0\/1 cosign signatures verified: the signature does not verify/,
    },
    {
      name: 'a valid signature over another digest',
      sigs: () => [signed(payload(`sha256:${'e'.repeat(64)}`))],
      reason: 'SignatureInvalid',
      message: /is for sha256:e+, not the pulled/,
    },
  ])('refuses $name', ({ sigs, reason, message }) => {
    const outcome = judge(sigs());
    expect(outcome).toMatchObject({ verified: false, reason });
    expect((outcome as { message: string }).message).toMatch(message);
  });
});
