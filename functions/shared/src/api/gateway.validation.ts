import type { ValidationResult } from './field-errors.ts';
import type { GatewaySpec } from './gateway.schema.ts';

const RESERVED_LABEL_PREFIXES = ['app.kubernetes.io/', 'mcpg.dev/'];

/** The most replicas the gateway can run: the autoscaler's ceiling when it is on. */
export function replicaCeiling(spec: GatewaySpec): number {
  return spec.autoscaling?.enabled ? (spec.autoscaling.maxReplicas ?? spec.replicas) : spec.replicas;
}

/** A budget that keeps every pod the gateway may have blocks each node drain. */
function blockingBudget(spec: GatewaySpec): string[] {
  const budget = spec.podDisruptionBudget;
  const floor = spec.autoscaling?.enabled ? (spec.autoscaling.minReplicas ?? 1) : spec.replicas;
  if (!budget?.enabled || typeof budget.minAvailable !== 'number' || budget.minAvailable < floor) return [];
  return [
    `spec.podDisruptionBudget.minAvailable (${budget.minAvailable}) keeps all of as few as ${floor} pods: no node running one can be drained; lower it or use maxUnavailable`,
  ];
}

export function validateGatewaySpec(spec: GatewaySpec): ValidationResult {
  const warnings = Object.keys(spec.podLabels ?? {})
    .filter((key) => RESERVED_LABEL_PREFIXES.some((prefix) => key.startsWith(prefix)))
    .map((key) => `spec.podLabels.${key} is reserved for the operator and is ignored`);
  return { errors: [], warnings: [...warnings, ...blockingBudget(spec)] };
}
