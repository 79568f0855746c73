/**
 * Tenant rules both the admission webhook (at write time) and the tenant function (at every reconcile) apply,
 * so that what admission let through and what a reconcile reports never disagree.
 */
import type { PluginSetSpec } from './plugin-set.schema.ts';
import type { PluginSpec } from './plugin.schema.ts';
import type { TenantSpec } from './tenant.schema.ts';

type Entry = Pick<PluginSetSpec['entries'][number], 'id' | 'pluginRef'>;

/** Whether a tenant's allowlist admits a plugin: by resource name or plugin id, "*", or image prefix. */
export function tenantAllows(
  tenant: Pick<TenantSpec, 'allowedPlugins'>,
  entry: Entry,
  plugin: Pick<PluginSpec, 'oci'> | undefined,
): boolean {
  return (tenant.allowedPlugins ?? []).some(
    (allowed) =>
      allowed.name === '*' ||
      allowed.name === entry.pluginRef.name ||
      allowed.name === entry.id ||
      (allowed.registryPrefix !== undefined && plugin?.oci.image.startsWith(allowed.registryPrefix) === true),
  );
}

export interface TenantClaim {
  name: string;
  creationTimestamp?: string | undefined;
  namespaces: readonly string[];
}

/** Orders claims oldest first; equal creation times (one-second resolution) fall back to the name. */
function olderFirst(a: TenantClaim, b: TenantClaim): number {
  const byTime = Date.parse(a.creationTimestamp ?? '') - Date.parse(b.creationTimestamp ?? '');
  if (Number.isFinite(byTime) && byTime !== 0) return byTime;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The tenant each namespace belongs to when several claim it: the oldest claim wins, the same way on every
 * pass and in every replica, so two tenants admitted in the same instant settle without a fight.
 */
export function namespaceOwners(claims: readonly TenantClaim[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const claim of [...claims].sort(olderFirst)) {
    for (const namespace of claim.namespaces) if (!owners.has(namespace)) owners.set(namespace, claim.name);
  }
  return owners;
}
