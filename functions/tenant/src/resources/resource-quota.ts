import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childLabels, controllerReference } from '@mcpg-functions/shared/runtime';
import type { TenantObject } from '../types.ts';
import { childName } from './names.ts';

const COUNTS = [
  ['maxGateways', 'count/mcpggateways.mcpg.dev'],
  ['maxPluginSets', 'count/mcpgpluginsets.mcpg.dev'],
  ['maxRoutes', 'count/mcpgroutes.mcpg.dev'],
] as const;

/**
 * A ResourceQuota in one of the tenant's namespaces, holding new objects to the tenant's counts; none when no
 * count is limited. A quota is per namespace, so each gets the tenant-wide limit and the tenant function reports
 * a total above it across namespaces.
 */
export function makeResourceQuota(tenant: TenantObject, namespace: string): KubeObject | undefined {
  const quotas = tenant.spec.quotas ?? {};
  const hard = Object.fromEntries(
    COUNTS.filter(([field]) => quotas[field] !== undefined).map(([field, resource]) => [
      resource,
      String(quotas[field]),
    ]),
  );
  if (Object.keys(hard).length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: {
      name: childName(tenant.metadata.name),
      namespace,
      labels: childLabels(tenant, 'quota'),
      ownerReferences: [controllerReference(tenant)],
    },
    spec: { hard },
  };
}
