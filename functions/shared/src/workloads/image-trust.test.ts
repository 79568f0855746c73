import { describe, expect, it } from 'vitest';
import { imagePolicy, imageTrust, pinnedTo } from './image-trust.ts';

const digest = `sha256:${'a'.repeat(64)}`;
const image = `registry.example/tools@${digest}`;
const verify = { cosignKeyRef: { secretName: 'cosign', key: 'cosign.pub' } };
const record = (overrides: Record<string, unknown> = {}) => ({
  imageVerification: { image, policy: imagePolicy(verify), verified: true, reason: 'Verified', ...overrides },
  imageDigest: digest,
});

describe('imageTrust', () => {
  it('lets any image through when the server has no verify policy', () => {
    expect(imageTrust({ image }, undefined)).toEqual({ state: 'unrestricted' });
  });

  it('lets the image through only with a verified record for this image and this policy', () => {
    expect(imageTrust({ image, verify }, record())).toEqual({ state: 'verified', digest });
  });

  it.each([
    { name: 'no record yet', status: undefined, reason: 'VerificationPending' },
    {
      name: 'a record for another image',
      status: record({ image: 'other@sha256:b' }),
      reason: 'VerificationPending',
    },
    { name: 'a record for another policy', status: record({ policy: 'old' }), reason: 'VerificationPending' },
    { name: 'a malformed record', status: { imageVerification: { image } }, reason: 'VerificationPending' },
    {
      name: 'a verified record without its digest',
      status: { imageVerification: record().imageVerification },
      reason: 'VerificationPending',
    },
    {
      name: 'a failed check',
      status: record({ verified: false, reason: 'DigestRevoked', message: 'revoked by list x' }),
      reason: 'DigestRevoked',
    },
  ])('blocks the rollout with $name', ({ status, reason }) => {
    expect(imageTrust({ image, verify }, status)).toMatchObject({ state: 'blocked', reason });
  });

  it('names a changed key or identity a new policy', () => {
    expect(imagePolicy(verify)).not.toBe(
      imagePolicy({ cosignKeyRef: { secretName: 'cosign', key: 'new.pub' } }),
    );
  });
});

describe('pinnedTo', () => {
  it.each([
    { image: 'registry.example/tools:1.0', expected: `registry.example/tools:1.0@${digest}` },
    {
      image: `registry.example/tools@sha256:${'b'.repeat(64)}`,
      expected: `registry.example/tools@${digest}`,
    },
    { image: 'localhost:5000/tools', expected: `localhost:5000/tools@${digest}` },
  ])('pins $image', ({ image: named, expected }) => {
    expect(pinnedTo(named, digest)).toBe(expected);
  });
});
