import { describe, expect, it } from 'vitest';
import { nextStatus, sameStatus, type StatusOf } from './status-merge.ts';

const now = new Date('2026-12-01T10:00:00Z');
const earlier = '2026-11-30T10:00:00.000Z';
const facet = { fields: ['imageVerification', 'imageDigest'], condition: 'ImageVerified' };

const owned: StatusOf = {
  phase: 'Running',
  observedGeneration: 3,
  failureCount: 2,
  nextAttemptAt: earlier,
  lastReconcileTime: earlier,
  conditions: [{ type: 'Ready', status: 'True', reason: 'Running', lastTransitionTime: earlier }],
};

describe('a status facet', () => {
  it('sets its fields and condition and keeps everything the owner wrote', () => {
    const next = nextStatus(
      owned,
      {
        status: { imageDigest: 'sha256:aa', imageVerification: { verified: true } },
        conditions: [{ type: 'ImageVerified', status: 'True', reason: 'Verified' }],
      },
      { now, generation: 4, foreign: [], facet },
    );
    expect(next).toMatchObject({
      phase: 'Running',
      observedGeneration: 3,
      failureCount: 2,
      nextAttemptAt: earlier,
      lastReconcileTime: earlier,
      imageDigest: 'sha256:aa',
    });
    expect(next.conditions).toEqual([
      owned.conditions?.[0],
      {
        type: 'ImageVerified',
        status: 'True',
        reason: 'Verified',
        lastTransitionTime: now.toISOString(),
        observedGeneration: 4,
      },
    ]);
  });

  it('ignores conditions other than its own', () => {
    const next = nextStatus(
      owned,
      { status: {}, conditions: [{ type: 'Ready', status: 'False', reason: 'Mine' }] },
      { now, generation: 4, foreign: [], facet },
    );
    expect(next.conditions).toEqual(owned.conditions);
  });

  it('removes its fields and condition when the check no longer applies', () => {
    const before: StatusOf = {
      ...owned,
      imageDigest: 'sha256:aa',
      conditions: [
        ...(owned.conditions ?? []),
        { type: 'ImageVerified', status: 'True', reason: 'Verified', lastTransitionTime: earlier },
      ],
    };
    const next = nextStatus(
      before,
      { status: {}, conditions: [] },
      { now, generation: 4, foreign: [], facet },
    );
    expect(next).toEqual(owned);
  });

  it('makes no write when nothing changed (the owner keeps lastReconcileTime)', () => {
    const before = { ...owned, imageDigest: 'sha256:aa' };
    const next = nextStatus(
      before,
      { status: { imageDigest: 'sha256:aa' }, conditions: [] },
      { now, generation: 3, foreign: [], facet },
    );
    expect(sameStatus(before, next)).toBe(true);
  });
});

describe("the owner's status", () => {
  it('keeps the fields a facet owns when they are declared foreign, and its conditions', () => {
    const before: StatusOf = {
      ...owned,
      imageDigest: 'sha256:aa',
      conditions: [
        ...(owned.conditions ?? []),
        { type: 'ImageVerified', status: 'False', reason: 'SignatureMissing', lastTransitionTime: earlier },
      ],
    };
    const next = nextStatus(
      before,
      { status: { phase: 'Running' }, conditions: [{ type: 'Ready', status: 'True', reason: 'Running' }] },
      { now, generation: 3, foreign: facet.fields, facet: undefined },
    );
    expect(next.imageDigest).toBe('sha256:aa');
    expect(next.failureCount).toBeUndefined();
    expect(next.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=True',
      'ImageVerified=False',
    ]);
  });
});
