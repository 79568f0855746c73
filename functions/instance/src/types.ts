import type { InstanceSpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';

export interface InstanceStatus {
  phase?: string;
  podName?: string;
  serviceURL?: string;
  startedAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
}

export type InstanceObject = KubeObject & { spec: InstanceSpec; status?: InstanceStatus };
