/** HorizontalPodAutoscaler and PodDisruptionBudget: rendered when enabled, and so deleted again when disabled. */
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { GatewayObject } from '../types.ts';
import { COMPONENT, names, podSelector } from './names.ts';

const DEFAULT_CPU_TARGET = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
};

/** The replica range the autoscaler keeps: min ≥ 1, max never below min. */
export function replicaRange(gateway: GatewayObject): { min: number; max: number } {
  const autoscaling = gateway.spec.autoscaling;
  const min = Math.max(autoscaling?.minReplicas ?? 1, 1);
  const max = Math.max(autoscaling?.maxReplicas ?? Math.max(gateway.spec.replicas, min), min);
  return { min, max };
}

export function makeAutoscaler(gateway: GatewayObject): KubeObject | undefined {
  const autoscaling = gateway.spec.autoscaling;
  if (!autoscaling?.enabled) return undefined;
  const { min, max } = replicaRange(gateway);
  const metrics = autoscaling.metrics?.length ? autoscaling.metrics : [DEFAULT_CPU_TARGET];
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: childMetadata(gateway, { name: names.workload(gateway.metadata.name), component: COMPONENT }),
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: names.workload(gateway.metadata.name),
      },
      minReplicas: min,
      maxReplicas: max,
      metrics,
    },
  };
}

export function makeDisruptionBudget(gateway: GatewayObject): KubeObject | undefined {
  const budget = gateway.spec.podDisruptionBudget;
  if (!budget?.enabled) return undefined;
  // Without a threshold, one pod at a time may go: a default minAvailable of 1 would block every drain of a
  // one-replica gateway.
  const threshold =
    budget.minAvailable !== undefined
      ? { minAvailable: budget.minAvailable }
      : { maxUnavailable: budget.maxUnavailable ?? 1 };
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMetadata(gateway, { name: names.workload(gateway.metadata.name), component: COMPONENT }),
    spec: { selector: { matchLabels: podSelector(gateway.metadata.name) }, ...threshold },
  };
}
