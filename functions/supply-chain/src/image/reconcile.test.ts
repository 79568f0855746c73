import { describe, expect, it } from 'vitest';
import type { ServerSpec } from '@mcpg-functions/shared/api';
import { imageTrust } from '@mcpg-functions/shared/workloads';
import { imageStatus } from './reconcile.ts';

const digest = `sha256:${'c'.repeat(64)}`;
const spec = {
  image: `registry.example/tools@${digest}`,
  verify: { cosignKeyRef: { secretName: 'cosign', key: 'cosign.pub' } },
} as ServerSpec;

// The record the supply chain writes is what the server function's gate reads: the two must agree.
describe('the image record the supply chain leaves for the server function', () => {
  it('lets a verified image roll out and names its digest', () => {
    const { status, conditions } = imageStatus(spec, { verified: true, digest, message: 'signed' });
    expect(imageTrust(spec, status)).toEqual({ state: 'verified', digest });
    expect(status.imageDigest).toBe(digest);
    expect(conditions).toEqual([
      { type: 'ImageVerified', status: 'True', reason: 'Verified', message: 'signed' },
    ]);
  });

  it('holds a refused image back with the reason and message of the check', () => {
    const verdict = {
      verified: false as const,
      reason: 'KeyRevoked' as const,
      message: 'key revoked by list x',
    };
    const { status, conditions } = imageStatus(spec, verdict);
    expect(imageTrust(spec, status)).toEqual({
      state: 'blocked',
      reason: 'KeyRevoked',
      message: 'key revoked by list x',
    });
    expect(status.imageDigest).toBeUndefined();
    expect(conditions[0]).toMatchObject({ status: 'False', reason: 'KeyRevoked' });
  });

  it('no longer counts once the image or the policy changes', () => {
    const { status } = imageStatus(spec, { verified: true, digest, message: 'signed' });
    const moved = { ...spec, image: `registry.example/tools@sha256:${'d'.repeat(64)}` };
    expect(imageTrust(moved, status)).toMatchObject({ state: 'blocked', reason: 'VerificationPending' });
    const stricter = { ...spec, verify: { cosignKeyRef: { secretName: 'other', key: 'cosign.pub' } } };
    expect(imageTrust(stricter, status)).toMatchObject({ state: 'blocked', reason: 'VerificationPending' });
  });
});
