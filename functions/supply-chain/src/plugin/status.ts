/**
 * The MCPGPlugin status from a verdict. `artifact` is set only when every configured check passed and no list
 * revokes it: it is what gateways fetch, so anything less leaves it out (fail-closed). Messages hold no times, so
 * an unchanged plugin produces an unchanged status.
 */
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import type { PluginVerdict } from './verdict.ts';

export interface PluginStatus {
  status: Record<string, unknown>;
  conditions: ConditionInput[];
}

const unknown = (type: string, reason: string, message: string): ConditionInput => ({
  type,
  status: 'Unknown',
  reason,
  message,
});

function pulledConditions(verdict: Exclude<PluginVerdict, { stage: 'pull' }>): ConditionInput[] {
  const pulled: ConditionInput = {
    type: 'Pulled',
    status: 'True',
    reason: 'Pulled',
    message: verdict.artifact,
  };
  switch (verdict.stage) {
    case 'verify':
      return [
        pulled,
        { type: 'Verified', status: 'False', reason: verdict.reason, message: verdict.message },
        unknown('Revoked', 'NotEvaluated', 'revocation is checked once the artifact verifies'),
        { type: 'Ready', status: 'False', reason: 'VerificationFailed', message: verdict.message },
      ];
    case 'revoked':
      return [
        pulled,
        { type: 'Verified', status: 'True', reason: 'Verified', message: 'every configured check passed' },
        { type: 'Revoked', status: 'True', reason: verdict.reason, message: verdict.message },
        { type: 'Ready', status: 'False', reason: 'Revoked', message: verdict.message },
      ];
    case 'revocationUnknown':
      return [
        pulled,
        { type: 'Verified', status: 'True', reason: 'Verified', message: 'every configured check passed' },
        unknown('Revoked', 'RevocationListInvalid', verdict.message),
        { type: 'Ready', status: 'False', reason: 'RevocationUnknown', message: verdict.message },
      ];
    case 'verified':
      return [
        pulled,
        { type: 'Verified', status: 'True', reason: 'Verified', message: 'every configured check passed' },
        { type: 'Revoked', status: 'False', reason: 'NotRevoked', message: verdict.message },
        { type: 'Ready', status: 'True', reason: 'Verified', message: `gateways fetch ${verdict.artifact}` },
      ];
  }
}

export function pluginStatus(
  verdict: PluginVerdict,
  previous: { resolvedDigest?: unknown; pulledAt?: unknown },
  now: Date,
): PluginStatus {
  if (verdict.stage === 'pull') {
    return {
      status: {},
      conditions: [
        { type: 'Pulled', status: 'False', reason: verdict.reason, message: verdict.message },
        unknown('Verified', 'NotPulled', 'the artifact could not be pulled'),
        unknown('Revoked', 'NotPulled', 'the artifact could not be pulled'),
        { type: 'Ready', status: 'False', reason: verdict.reason, message: verdict.message },
      ],
    };
  }
  const resolvedDigest = `sha256:${verdict.binarySha256}`;
  const pulledAt =
    previous.resolvedDigest === resolvedDigest && typeof previous.pulledAt === 'string'
      ? previous.pulledAt
      : now.toISOString();
  return {
    status: {
      resolvedDigest,
      pulledAt,
      ...verdict.checks,
      ...(verdict.stage === 'revoked' || verdict.stage === 'verified'
        ? { revokedBySha: verdict.stage === 'revoked' }
        : {}),
      ...(verdict.stage === 'verified' ? { artifact: verdict.artifact } : {}),
    },
    conditions: pulledConditions(verdict),
  };
}
