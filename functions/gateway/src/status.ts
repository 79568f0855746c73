/**
 * Gateway status from what runs: replica counts from the Deployment, Ready against the replicas wanted now
 * (the autoscaler's desired count when autoscaling), and Degraded when a dependency is held at its last good
 * state or a requested object cannot be rendered.
 */
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import { CONDITION, REASON } from './lifecycle.ts';
import { replicaRange } from './resources/availability.ts';
import type { GatewayObject } from './types.ts';

interface DeploymentState {
  metadata: { generation?: number };
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

export interface Observed {
  deployment: (KubeObject & DeploymentState) | undefined;
  autoscaler: (KubeObject & { status?: { desiredReplicas?: number } }) | undefined;
}

/** Replicas the gateway should have now: the spec's, or under an autoscaler the count it currently wants. */
export function wantedReplicas(gateway: GatewayObject, observed: Observed): number {
  if (!gateway.spec.autoscaling?.enabled) return gateway.spec.replicas;
  const { min, max } = replicaRange(gateway);
  const desired = observed.autoscaler?.status?.desiredReplicas || observed.deployment?.spec?.replicas || min;
  return Math.min(Math.max(desired, min), max);
}

/** Whether the Deployment we see already runs the template we want (same config hash, status caught up). */
function current(observed: Observed, configHash: string): boolean {
  const d = observed.deployment;
  if (!d) return false;
  const hash = d.spec?.template?.metadata?.annotations?.['mcpg.dev/config-hash'];
  return hash === configHash && (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

interface Rollout {
  wanted: number;
  available: number;
  updated: number;
  total: number;
}

function rollout(gateway: GatewayObject, observed: Observed, configHash: string): Rollout {
  const s = observed.deployment?.status ?? {};
  return {
    wanted: wantedReplicas(gateway, observed),
    available: s.availableReplicas ?? 0,
    updated: current(observed, configHash) ? (s.updatedReplicas ?? 0) : 0,
    total: s.replicas ?? 0,
  };
}

export function replicaConditions(
  gateway: GatewayObject,
  observed: Observed,
  configHash: string,
): ConditionInput[] {
  const { wanted, available, updated, total } = rollout(gateway, observed, configHash);
  const rolledOut = updated >= wanted && total <= updated;
  const ready = rolledOut && available >= wanted;
  const message = `${available}/${wanted} replicas available, ${updated} updated`;
  const condition = (type: string, status: boolean, yes: string, no: string): ConditionInput => ({
    type,
    status: status ? 'True' : 'False',
    reason: status ? yes : no,
    message,
  });
  return [
    condition(CONDITION.ready, ready, REASON.allReplicasAvailable, REASON.progressing),
    condition(
      CONDITION.available,
      available > 0,
      REASON.minimumReplicasAvailable,
      REASON.noReplicasAvailable,
    ),
    condition(CONDITION.progressing, !rolledOut, REASON.rollingOut, REASON.rolloutComplete),
  ];
}

/** Degraded names the first dependency condition that is False (they are listed in order of importance). */
export function degradedCondition(dependencies: readonly ConditionInput[]): ConditionInput {
  const failing = dependencies.find((c) => c.status === 'False');
  if (!failing)
    return {
      type: CONDITION.degraded,
      status: 'False',
      reason: REASON.asExpected,
      message: 'all dependencies resolved',
    };
  return { type: CONDITION.degraded, status: 'True', reason: failing.reason, message: failing.message };
}

export function replicaStatus(observed: Observed): Record<string, number> {
  const s = observed.deployment?.status ?? {};
  return {
    replicas: s.replicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
  };
}
