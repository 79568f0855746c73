import { describe, expect, it } from 'vitest';
import { durationSeconds, expiry, lifetimeEnd } from './lifetime.ts';

const now = new Date('2026-11-22T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

describe('instance lifetime', () => {
  it.each([
    ['30m', 1800],
    ['1h30m', 5400],
    ['45s', 45],
    ['24h', 86400],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each([
    { name: 'a fresh instance', facts: { createdAt: ago(1) }, reason: undefined },
    {
      name: 'an instance used recently',
      facts: { startedAt: ago(50), lastUsedAt: ago(10) },
      reason: undefined,
    },
    {
      name: 'an instance idle past its TTL',
      facts: { startedAt: ago(50), lastUsedAt: ago(31) },
      reason: 'IdleTimeout',
    },
    { name: 'a never-used instance past its TTL', facts: { startedAt: ago(31) }, reason: 'IdleTimeout' },
    {
      name: 'a busy instance past its lifetime',
      facts: { startedAt: ago(25 * 60), lastUsedAt: ago(1) },
      reason: 'MaxLifetimeReached',
    },
    { name: 'one still starting after creation', facts: { createdAt: ago(5) }, reason: undefined },
  ])('judges $name', ({ facts, reason }) => {
    const result = expiry({
      now,
      createdAt: undefined,
      startedAt: undefined,
      lastUsedAt: undefined,
      idleTTL: '30m',
      maxLifetime: '24h',
      ...facts,
    });
    expect(result?.reason).toBe(reason);
  });
});

describe('lifetimeEnd', () => {
  it.each([
    {
      name: 'a started instance counts from its start',
      facts: { createdAt: ago(90), startedAt: ago(60) },
      left: 23,
    },
    { name: 'one not yet started counts from its creation', facts: { createdAt: ago(90) }, left: 22.5 },
  ])('$name', ({ facts, left }) => {
    const end = lifetimeEnd({ now, startedAt: undefined, maxLifetime: '24h', ...facts });
    expect((end.getTime() - now.getTime()) / 3_600_000).toBe(left);
  });
});
