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

/** The label a cluster administrator puts on a namespace to let a tenant claim it. */
export const TENANT_OPT_IN_LABEL = 'mcpg.dev/tenant-namespace';

/** The label the tenant function puts on a namespace it bound, naming the tenant. */
export const TENANT_LABEL = 'mcpg.dev/tenant';

/** Why no tenant may ever claim this namespace (by name alone), or undefined. */
export function reservedNamespaceRefusal(namespace: string, reserved: readonly string[]): string | undefined {
  if (namespace.startsWith('kube-'))
    return 'is reserved for the cluster (kube-* namespaces cannot belong to a tenant)';
  if (reserved.includes(namespace)) return "is the operator's namespace, which cannot belong to a tenant";
  return undefined;
}

/**
 * Why a tenant may not claim an existing namespace, or undefined when it may: kube-system and every kube-*
 * namespace belong to the cluster, `reserved` ones (the operator's) to the operator, and any other needs the
 * administrator's opt-in label, since claiming binds the tenant's Role there with the tenant function's rights.
 */
export function namespaceClaimRefusal(
  namespace: string,
  labels: Readonly<Record<string, string>>,
  reserved: readonly string[] = [],
): string | undefined {
  const byName = reservedNamespaceRefusal(namespace, reserved);
  if (byName !== undefined) return byName;
  if (labels[TENANT_OPT_IN_LABEL] !== 'true')
    return `has no label ${TENANT_OPT_IN_LABEL}=true; a cluster administrator opts a namespace in by setting it`;
  return undefined;
}
