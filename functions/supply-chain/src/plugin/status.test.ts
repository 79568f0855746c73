import { describe, expect, it } from 'vitest';
import { pluginStatus } from './status.ts';
import type { PluginVerdict } from './verdict.ts';

const now = new Date('2026-11-22T00:00:00Z');
const pulled = {
  artifact: `r.example/p@sha256:${'b'.repeat(64)}`,
  manifestDigest: `sha256:${'b'.repeat(64)}`,
  binarySha256: 'a'.repeat(64),
  checks: { signatureValid: true },
};
const reasons = (verdict: PluginVerdict) =>
  Object.fromEntries(
    pluginStatus(verdict, {}, now).conditions.map((c) => [c.type, `${c.status}/${c.reason}`]),
  );

describe('pluginStatus', () => {
  it.each<{ verdict: PluginVerdict; expected: Record<string, string>; artifact: boolean }>([
    {
      verdict: { stage: 'pull', reason: 'DigestMismatch', message: 'm' },
      expected: {
        Pulled: 'False/DigestMismatch',
        Verified: 'Unknown/NotPulled',
        Revoked: 'Unknown/NotPulled',
        Ready: 'False/DigestMismatch',
      },
      artifact: false,
    },
    {
      verdict: { stage: 'verify', ...pulled, reason: 'SignatureInvalid', message: 'm' },
      expected: {
        Pulled: 'True/Pulled',
        Verified: 'False/SignatureInvalid',
        Revoked: 'Unknown/NotEvaluated',
        Ready: 'False/VerificationFailed',
      },
      artifact: false,
    },
    {
      verdict: { stage: 'revoked', ...pulled, reason: 'KeyRevoked', message: 'm' },
      expected: {
        Pulled: 'True/Pulled',
        Verified: 'True/Verified',
        Revoked: 'True/KeyRevoked',
        Ready: 'False/Revoked',
      },
      artifact: false,
    },
    {
      verdict: { stage: 'revocationUnknown', ...pulled, message: 'm' },
      expected: {
        Pulled: 'True/Pulled',
        Verified: 'True/Verified',
        Revoked: 'Unknown/RevocationListInvalid',
        Ready: 'False/RevocationUnknown',
      },
      artifact: false,
    },
    {
      verdict: { stage: 'verified', ...pulled, message: 'm' },
      expected: {
        Pulled: 'True/Pulled',
        Verified: 'True/Verified',
        Revoked: 'False/NotRevoked',
        Ready: 'True/Verified',
      },
      artifact: true,
    },
  ])('$verdict.stage', ({ verdict, expected, artifact }) => {
    expect(reasons(verdict)).toEqual(expected);
    expect(pluginStatus(verdict, {}, now).status.artifact !== undefined).toBe(artifact);
  });

  it('keeps pulledAt while the binary is unchanged, so a resync writes nothing', () => {
    const verdict: PluginVerdict = { stage: 'verified', ...pulled, message: 'm' };
    const previous = {
      resolvedDigest: `sha256:${pulled.binarySha256}`,
      pulledAt: '2026-01-01T00:00:00.000Z',
    };
    expect(pluginStatus(verdict, previous, now).status.pulledAt).toBe(previous.pulledAt);
    expect(pluginStatus(verdict, { ...previous, resolvedDigest: 'sha256:other' }, now).status.pulledAt).toBe(
      now.toISOString(),
    );
  });
});
