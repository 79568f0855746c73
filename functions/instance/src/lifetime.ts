/** When an instance has outlived its welcome: idle for longer than idleTTL, or older than maxLifetime. */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `1h30m` → 5400 (the schema only admits s, m and h parts). */
export function durationSeconds(duration: string): number {
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)([smh])/g))
    total += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 1);
  return total;
}

export interface LifetimeFacts {
  now: Date;
  createdAt: string | undefined;
  startedAt: string | undefined;
  lastUsedAt: string | undefined;
  idleTTL: string;
  maxLifetime: string;
}

export type Expiry = { reason: 'IdleTimeout' | 'MaxLifetimeReached'; message: string } | undefined;

type BirthFacts = Pick<LifetimeFacts, 'now' | 'createdAt' | 'startedAt'>;

/** An instance's lifetime counts from its pod's start, or from its creation until the pod starts. */
function bornAt(facts: BirthFacts): number {
  return Date.parse(facts.startedAt ?? facts.createdAt ?? facts.now.toISOString());
}

/** When spec.maxLifetime runs out (written to status.expiresAt, so alerts need not parse durations). */
export function lifetimeEnd(facts: BirthFacts & Pick<LifetimeFacts, 'maxLifetime'>): Date {
  return new Date(bornAt(facts) + durationSeconds(facts.maxLifetime) * 1000);
}

export function expiry(facts: LifetimeFacts): Expiry {
  const now = facts.now.getTime();
  const born = bornAt(facts);
  const lastActive = Math.max(
    born,
    Date.parse(facts.lastUsedAt ?? facts.startedAt ?? facts.createdAt ?? facts.now.toISOString()),
  );
  if (now > lifetimeEnd(facts).getTime()) {
    return {
      reason: 'MaxLifetimeReached',
      message: `deleted: older than spec.maxLifetime (${facts.maxLifetime})`,
    };
  }
  if (now - lastActive > durationSeconds(facts.idleTTL) * 1000) {
    return {
      reason: 'IdleTimeout',
      message: `deleted: unused for longer than spec.idleTTL (${facts.idleTTL})`,
    };
  }
  return undefined;
}
