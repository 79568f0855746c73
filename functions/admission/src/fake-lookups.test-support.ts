/** In-memory ClusterLookups for unit tests of the decision logic. */
import type { GatewaySpec, PluginSpec, TenantSpec } from '@mcpg-functions/shared/api';
import { LookupError, type ClusterLookups, type Named } from './lookups.ts';

export interface FakeCluster {
  tenants?: Named<TenantSpec>[];
  plugins?: Named<PluginSpec>[];
  gateways?: (Named<GatewaySpec> & { namespace: string })[];
  namespaceLabels?: Record<string, Record<string, string>>;
  /** Further objects of our namespaced kinds, by kind, namespace and name. */
  objects?: { kind: string; namespace: string; name: string }[];
  /** Every lookup fails, as when the API server is unreachable. */
  unreachable?: boolean;
}

export function fakeLookups(cluster: FakeCluster): ClusterLookups {
  const guard = <T>(what: string, value: T): Promise<T> =>
    cluster.unreachable
      ? Promise.reject(new LookupError(what, new Error('connect ECONNREFUSED')))
      : Promise.resolve(value);
  return {
    tenants: () => guard('MCPGTenants', cluster.tenants ?? []),
    currentTenants: () => guard('MCPGTenants', cluster.tenants ?? []),
    plugin: (name) =>
      guard(
        `MCPGPlugin ${name}`,
        cluster.plugins?.find((p) => p.name === name),
      ),
    gateway: (namespace, name) =>
      guard(
        `MCPGGateway ${namespace}/${name}`,
        cluster.gateways?.find((g) => g.namespace === namespace && g.name === name),
      ),
    namespaceLabels: (namespace) => guard('namespaces', cluster.namespaceLabels?.[namespace]),
    exists: (kind, namespace, name) =>
      guard(
        `${kind} ${namespace}/${name}`,
        [
          ...(cluster.gateways ?? []).map((g) => ({ ...g, kind: 'MCPGGateway' })),
          ...(cluster.objects ?? []),
        ].some((o) => o.kind === kind && o.namespace === namespace && o.name === name),
      ),
  };
}
