/** What the cross-object rules need to know about the cluster. Implemented over the API server in production,
 * by plain data in unit tests. Every method may throw LookupError; the webhook's lookup policy decides. */
import {
  namespaceOwners,
  type GatewaySpec,
  type PluginSpec,
  type TenantSpec,
} from '@mcpg-functions/shared/api';

export interface Named<S> {
  name: string;
  spec: S;
  /** When the object was created (tenants: the oldest claim on a namespace wins). */
  creationTimestamp?: string | undefined;
}

export interface ClusterLookups {
  tenants(): Promise<Named<TenantSpec>[]>;
  /** The tenants as the API server has them now (not a cache): for rules where a stale answer lets a race in. */
  currentTenants(): Promise<Named<TenantSpec>[]>;
  plugin(name: string): Promise<Named<PluginSpec> | undefined>;
  gateway(namespace: string, name: string): Promise<Named<GatewaySpec> | undefined>;
  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined>;
  /** Whether an object of one of our namespaced kinds exists. */
  exists(kind: string, namespace: string, name: string): Promise<boolean>;
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

/**
 * The tenant `namespace` belongs to: of the tenants listing it, the oldest, as the tenant function decides, so
 * that when two tenants were admitted in the same instant the webhook applies the rules of the one that holds it.
 */
export async function tenantOf(
  lookups: ClusterLookups,
  namespace: string,
): Promise<Named<TenantSpec> | undefined> {
  const tenants = await lookups.tenants();
  const owner = namespaceOwners(
    tenants.map((t) => ({
      name: t.name,
      creationTimestamp: t.creationTimestamp,
      namespaces: t.spec.namespaces,
    })),
  ).get(namespace);
  return tenants.find((t) => t.name === owner);
}
