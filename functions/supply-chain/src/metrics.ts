/**
 * What the supply chain decided, as metrics: one count per check of a plugin or a server image by outcome and
 * reason (a rising `refused` or `revoked` is what security wants alerted), and how long checks take (they pull
 * from registries, so a slow registry shows here first).
 */
import type { Registry } from 'prom-client';
import { Counter, Histogram } from '@mcpg-functions/shared/runtime';

export type CheckSubject = 'plugin' | 'image';
/** verified; refused (a check failed); revoked; unavailable (the registry or its material could not be read). */
export type CheckOutcome = 'verified' | 'refused' | 'revoked' | 'unavailable';

export interface SupplyChainMetrics {
  /** One check's conclusion: `Verified`, or the reason it did not verify (a condition reason). */
  recordCheck: (subject: CheckSubject, reason: string, seconds: number) => void;
}

const REVOKED = new Set(['ArtifactRevoked', 'DigestRevoked', 'KeyRevoked', 'SignerRevoked']);
/** Reasons that say the check could not be made, rather than that it failed. */
const UNAVAILABLE = new Set([
  'PullFailed',
  'ImageNotFound',
  'CredentialsUnavailable',
  'KeyUnavailable',
  'MirrorUnresolved',
  'TrustedRootMissing',
]);

export function outcomeOf(reason: string): CheckOutcome {
  if (reason === 'Verified') return 'verified';
  if (REVOKED.has(reason)) return 'revoked';
  return UNAVAILABLE.has(reason) ? 'unavailable' : 'refused';
}

export function createSupplyChainMetrics(registry: Registry): SupplyChainMetrics {
  const checks = new Counter({
    name: 'mcpg_supply_chain_checks_total',
    help: 'Checks of plugins and server images, by subject, outcome (verified, refused, revoked, unavailable) and reason.',
    labelNames: ['subject', 'outcome', 'reason'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'mcpg_supply_chain_check_duration_seconds',
    help: 'Time one check took, registry reads included, by subject.',
    labelNames: ['subject'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [registry],
  });
  return {
    recordCheck(subject, reason, seconds) {
      checks.inc({ subject, outcome: outcomeOf(reason), reason });
      duration.observe({ subject }, seconds);
    },
  };
}

/** Seconds since `started` (from process.hrtime.bigint()). */
export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
