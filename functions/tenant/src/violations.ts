/**
 * What admission checks, checked again against what is actually in the tenant's namespaces (objects written
 * before the tenant existed, while the webhook was down, or in a namespace exempted from it). Pure; the result
 * is reported, never enforced by changing running workloads.
 */
import {
  replicaCeiling,
  tenantAllows,
  type GatewaySpec,
  type PluginSpec,
  type TenantSpec,
} from '@mcpg-functions/shared/api';
import { storedEntries } from './stored.ts';
import type { Inventory, NamespacedObject } from './types.ts';

export interface Violations {
  quota: string[];
  plugins: string[];
}

const where = (o: NamespacedObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

const COUNTED = [
  { field: 'maxGateways', kind: 'MCPGGateways', of: (i: Inventory) => i.gateways },
  { field: 'maxPluginSets', kind: 'MCPGPluginSets', of: (i: Inventory) => i.pluginSets },
  { field: 'maxRoutes', kind: 'MCPGRoutes', of: (i: Inventory) => i.routes },
] as const;

function countOverages(quotas: NonNullable<TenantSpec['quotas']>, inventory: Inventory): string[] {
  return COUNTED.flatMap(({ field, kind, of }) => {
    const limit = quotas[field];
    const found = of(inventory);
    return limit !== undefined && found.length > limit
      ? [`${found.length} ${kind} (${found.map(where).join(', ')}) exceed quotas.${field} ${limit}`]
      : [];
  });
}

function replicaOverages(cap: number | undefined, gateways: readonly NamespacedObject[]): string[] {
  if (cap === undefined) return [];
  return gateways.flatMap((gateway) => {
    const spec = gateway.spec as GatewaySpec | undefined;
    if (typeof spec?.replicas !== 'number') return [];
    const ceiling = replicaCeiling(spec);
    return ceiling > cap
      ? [
          `MCPGGateway ${where(gateway)} can run ${ceiling} replicas, above quotas.maxReplicasPerGateway ${cap}`,
        ]
      : [];
  });
}

function disallowedEntries(tenant: TenantSpec, inventory: Inventory): string[] {
  return inventory.pluginSets.flatMap((set) => {
    const entries = storedEntries(set.spec);
    return entries
      .filter((entry) => {
        const plugin = inventory.plugins.get(entry.pluginRef.name) as { spec?: PluginSpec } | undefined;
        return !tenantAllows(tenant, entry, plugin?.spec);
      })
      .map(
        (entry) =>
          `MCPGPluginSet ${where(set)} uses ${entry.id} (MCPGPlugin ${entry.pluginRef.name}), which is not allowed`,
      );
  });
}

export function tenantViolations(tenant: TenantSpec, inventory: Inventory): Violations {
  const quotas = tenant.quotas ?? {};
  return {
    quota: [
      ...countOverages(quotas, inventory),
      ...replicaOverages(quotas.maxReplicasPerGateway, inventory.gateways),
    ],
    plugins: disallowedEntries(tenant, inventory),
  };
}
