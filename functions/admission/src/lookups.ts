/** What the cross-object rules need to know about the cluster. Implemented over the API server in production,
 * by plain data in unit tests. Every method may throw LookupError; the webhook's lookup policy decides. */
import type { UserInfo } from './admission-review.ts';
import {
  namespaceOwners,
  type ClusterSpec,
  type GatewaySpec,
  type PluginSpec,
  type ServerSpec,
  type TenantSpec,
} from '@mcpg-functions/shared/api';

export interface Named<S> {
  name: string;
  spec: S;
  /** When the object was created (tenants: the oldest claim on a namespace wins). */
  creationTimestamp?: string | undefined;
}

export interface ClusterLookups {
  /**
   * The tenant `namespace` belongs to: of the tenants listing it, the oldest, as the tenant function decides, so
   * that when two tenants were admitted in the same instant the webhook applies the rules of the one that holds it.
   */
  tenantOf(namespace: string): Promise<Named<TenantSpec> | undefined>;
  /** The tenants as the API server has them now (not a cache): for rules where a stale answer lets a race in. */
  currentTenants(): Promise<Named<TenantSpec>[]>;
  plugin(name: string): Promise<Named<PluginSpec> | undefined>;
  gateway(namespace: string, name: string): Promise<Named<GatewaySpec> | undefined>;
  server(namespace: string, name: string): Promise<Named<ServerSpec> | undefined>;
  cluster(name: string): Promise<Named<ClusterSpec> | undefined>;
  /** A namespace's labels (`{}` when it has none); undefined when it does not exist. */
  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined>;
  /** Whether the user may do this themselves: a SubjectAccessReview with the review's userInfo, never cached. */
  userMay(user: UserInfo, access: AccessQuestion): Promise<boolean>;
  /** The namespaces whose Ingresses, MCPGServers or MCPGGateways serve this host now (read live). */
  hostNamespaces(host: string): Promise<string[]>;
  /** Whether an object of one of our namespaced kinds exists. */
  exists(kind: string, namespace: string, name: string): Promise<boolean>;
  /**
   * The labels of a Secret or ConfigMap, read as metadata only (its content never reaches the webhook);
   * undefined when it does not exist.
   */
  sourceLabels(
    kind: 'Secret' | 'ConfigMap',
    namespace: string,
    name: string,
  ): Promise<Record<string, string> | undefined>;
}

/** One authorization question about a namespaced resource, as a SubjectAccessReview asks it. */
export interface AccessQuestion {
  namespace: string;
  verb: string;
  /** Core group when unset. */
  group?: string;
  resource: string;
  name?: string;
}

export class LookupError extends Error {
  constructor(what: string, cause: unknown) {
    super(
      `could not read ${what} from the API server: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'LookupError';
  }
}

/** Each namespace a tenant lists, with the tenant that holds it (see ClusterLookups.tenantOf). */
export function tenantsByNamespace(tenants: readonly Named<TenantSpec>[]): Map<string, Named<TenantSpec>> {
  const byName = new Map(tenants.map((t) => [t.name, t]));
  const owners = namespaceOwners(
    tenants.map((t) => ({
      name: t.name,
      creationTimestamp: t.creationTimestamp,
      namespaces: t.spec.namespaces,
    })),
  );
  return new Map(
    [...owners].map(([namespace, owner]) => [namespace, byName.get(owner) as Named<TenantSpec>]),
  );
}
