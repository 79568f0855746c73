import { describe, expect, it } from 'vitest';
import { mergeConditions, transitions } from './conditions.ts';

const earlier = new Date('2026-11-01T00:00:00Z');
const now = new Date('2026-11-22T00:00:00Z');

describe('mergeConditions', () => {
  const current = [
    { type: 'Ready', status: 'True' as const, reason: 'Running', lastTransitionTime: earlier.toISOString() },
    {
      type: 'Available',
      status: 'True' as const,
      reason: 'MinimumReplicasAvailable',
      lastTransitionTime: earlier.toISOString(),
    },
  ];

  it('keeps lastTransitionTime while the status stays, moves it on a change, keeps other types', () => {
    const merged = mergeConditions(
      current,
      [{ type: 'Ready', status: 'True', reason: 'Running', message: '2/2' }],
      { now, generation: 3 },
    );
    expect(merged).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'Running',
        message: '2/2',
        lastTransitionTime: earlier.toISOString(),
        observedGeneration: 3,
      },
      current[1],
    ]);
    const flipped = mergeConditions(current, [{ type: 'Ready', status: 'False', reason: 'CrashLoop' }], {
      now,
      generation: 3,
    });
    expect(flipped[0]?.lastTransitionTime).toBe(now.toISOString());
    expect(transitions(current, flipped).map((c) => c.type)).toEqual(['Ready']);
  });

  it('adds a new type with the current time', () => {
    const merged = mergeConditions(
      undefined,
      [{ type: 'IngressReady', status: 'False', reason: 'NoLoadBalancerAddress' }],
      { now, generation: undefined },
    );
    expect(merged).toEqual([
      {
        type: 'IngressReady',
        status: 'False',
        reason: 'NoLoadBalancerAddress',
        lastTransitionTime: now.toISOString(),
      },
    ]);
  });
});
