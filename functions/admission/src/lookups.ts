/** What the cross-object rules need to know about the cluster. Implemented over the API server in production,
 * by plain data in unit tests. Every method may throw LookupError; the webhook's lookup policy decides. */
import type { GatewaySpec, PluginSpec, TenantSpec } from '@mcpg-functions/shared/api';

export interface Named<S> {
  name: string;
  spec: S;
}

export interface ClusterLookups {
  tenants(): Promise<Named<TenantSpec>[]>;
  /** The tenants as the API server has them now (not a cache): for rules where a stale answer lets a race in. */
  currentTenants(): Promise<Named<TenantSpec>[]>;
  plugin(name: string): Promise<Named<PluginSpec> | undefined>;
  gateway(namespace: string, name: string): Promise<Named<GatewaySpec> | undefined>;
  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined>;
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

/** The tenant whose spec.namespaces lists `namespace`, if any. */
export async function tenantOf(
  lookups: ClusterLookups,
  namespace: string,
): Promise<Named<TenantSpec> | undefined> {
  return (await lookups.tenants()).find((t) => t.spec.namespaces.includes(namespace));
}
