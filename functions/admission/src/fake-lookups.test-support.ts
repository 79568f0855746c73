/** In-memory ClusterLookups for unit tests of the decision logic. */
import type {
  ClusterSpec,
  GatewaySpec,
  PluginSpec,
  ServerSpec,
  TenantSpec,
} from '@mcpg-functions/shared/api';
import type { UserInfo } from './admission-review.ts';
import { hostsOverlap } from '@mcpg-functions/shared/workloads';
import {
  LookupError,
  tenantsByNamespace,
  type AccessQuestion,
  type ClusterLookups,
  type Named,
} from './lookups.ts';

export interface FakeCluster {
  tenants?: Named<TenantSpec>[];
  plugins?: Named<PluginSpec>[];
  gateways?: (Named<GatewaySpec> & { namespace: string })[];
  servers?: (Named<ServerSpec> & { namespace: string })[];
  clusters?: Named<ClusterSpec>[];
  namespaceLabels?: Record<string, Record<string, string>>;
  /** What users may do: `user verb resource[/name] namespace` strings, such as `alice get secrets/db team-a`. */
  grants?: string[];
  /** Hosts already served, by namespace. */
  hosts?: Record<string, string[]>;
  /** Further objects of our namespaced kinds, by kind, namespace and name. */
  objects?: { kind: string; namespace: string; name: string }[];
  /** Labels of Secrets and ConfigMaps, by `Kind namespace/name` (such as `Secret team-a/db`). */
  sources?: Record<string, Record<string, string>>;
  /** Every lookup fails, as when the API server is unreachable. */
  unreachable?: boolean;
}

export function fakeLookups(cluster: FakeCluster): ClusterLookups {
  const guard = <T>(what: string, value: T): Promise<T> =>
    cluster.unreachable
      ? Promise.reject(new LookupError(what, new Error('connect ECONNREFUSED')))
      : Promise.resolve(value);
  return {
    tenantOf: (namespace) => guard('MCPGTenants', tenantsByNamespace(cluster.tenants ?? []).get(namespace)),
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
    server: (namespace, name) =>
      guard(
        `MCPGServer ${namespace}/${name}`,
        cluster.servers?.find((s) => s.namespace === namespace && s.name === name),
      ),
    cluster: (name) =>
      guard(
        `MCPGCluster ${name}`,
        cluster.clusters?.find((c) => c.name === name),
      ),
    namespaceLabels: (namespace) => guard('namespaces', cluster.namespaceLabels?.[namespace]),
    userMay: (user, access) =>
      guard('SubjectAccessReview', (cluster.grants ?? []).includes(grant(user, access))),
    hostNamespaces: (host) =>
      guard(
        `who serves ${host}`,
        Object.entries(cluster.hosts ?? {})
          .filter(([, hosts]) => hosts.some((h) => hostsOverlap(h, host)))
          .map(([namespace]) => namespace),
      ),
    exists: (kind, namespace, name) =>
      guard(
        `${kind} ${namespace}/${name}`,
        [
          ...(cluster.gateways ?? []).map((g) => ({ ...g, kind: 'MCPGGateway' })),
          ...(cluster.servers ?? []).map((s) => ({ ...s, kind: 'MCPGServer' })),
          ...(cluster.objects ?? []),
        ].some((o) => o.kind === kind && o.namespace === namespace && o.name === name),
      ),
    sourceLabels: (kind, namespace, name) =>
      guard(`${kind} ${namespace}/${name}`, cluster.sources?.[`${kind} ${namespace}/${name}`]),
  };
}

function grant(user: UserInfo, access: AccessQuestion): string {
  const object = access.name ? `${access.resource}/${access.name}` : access.resource;
  return `${user.username ?? ''} ${access.verb} ${object} ${access.namespace}`;
}
