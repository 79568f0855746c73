import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSupplyChainMetrics, outcomeOf } from './metrics.ts';

describe('supply-chain metrics', () => {
  it.each([
    ['Verified', 'verified'],
    ['DigestRevoked', 'revoked'],
    ['SignerRevoked', 'revoked'],
    ['SignatureInvalid', 'refused'],
    ['DigestMismatch', 'refused'],
    ['RevocationUnknown', 'refused'],
    ['PullFailed', 'unavailable'],
    ['KeyUnavailable', 'unavailable'],
  ])('counts a check ending in %s as %s', (reason, outcome) => {
    expect(outcomeOf(reason)).toBe(outcome);
  });

  it('exposes each check with its subject, outcome and reason', async () => {
    const registry = new Registry();
    createSupplyChainMetrics(registry).recordCheck('image', 'KeyRevoked', 0.2);
    const text = await registry.metrics();
    expect(text).toContain(
      'mcpg_supply_chain_checks_total{subject="image",outcome="revoked",reason="KeyRevoked"} 1',
    );
    expect(text).toContain('mcpg_supply_chain_check_duration_seconds_count{subject="image"} 1');
  });
});
