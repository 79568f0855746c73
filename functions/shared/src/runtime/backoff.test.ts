import { describe, expect, it } from 'vitest';
import { isBackingOff, MAX_BACKOFF_SECONDS, nextFailure, SPEC_WAIT_RECHECK_SECONDS } from './backoff.ts';

const now = new Date('2026-12-01T10:00:00Z');
const inSeconds = (record: { nextAttemptAt: string }) =>
  (Date.parse(record.nextAttemptAt) - now.getTime()) / 1000;

describe('failure backoff', () => {
  it.each([
    { failureCount: undefined, delay: 5 },
    { failureCount: 1, delay: 10 },
    { failureCount: 3, delay: 40 },
    { failureCount: 20, delay: MAX_BACKOFF_SECONDS },
  ])('after $failureCount failures waits $delay s', ({ failureCount, delay }) => {
    const next = nextFailure({ failureCount }, now, 'backoff');
    expect(next.failureCount).toBe((failureCount ?? 0) + 1);
    expect(inSeconds(next)).toBe(delay);
  });

  it('waits for a spec change: only a rare recheck', () => {
    expect(inSeconds(nextFailure({ failureCount: 1 }, now, 'spec'))).toBe(SPEC_WAIT_RECHECK_SECONDS);
  });

  const object = (status: Record<string, unknown>, generation = 2) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name: 'tools', generation },
    status,
  });

  it.each([
    {
      name: 'waiting, spec unchanged',
      status: { observedGeneration: 2, nextAttemptAt: '2026-12-01T10:01:00Z' },
      generation: 2,
      backingOff: true,
    },
    {
      name: 'the spec changed since',
      status: { observedGeneration: 1, nextAttemptAt: '2026-12-01T10:01:00Z' },
      generation: 2,
      backingOff: false,
    },
    {
      name: 'the time has come',
      status: { observedGeneration: 2, nextAttemptAt: '2026-12-01T10:00:00Z' },
      generation: 2,
      backingOff: false,
    },
    { name: 'never failed', status: { observedGeneration: 2 }, generation: 2, backingOff: false },
    {
      name: 'an unreadable time',
      status: { observedGeneration: 2, nextAttemptAt: 'soon' },
      generation: 2,
      backingOff: false,
    },
  ])('is backing off when $name: $backingOff', ({ status, generation, backingOff }) => {
    expect(isBackingOff(object(status, generation), now)).toBe(backingOff);
  });
});
