/** Which listed namespaces a tenant holds, pure: the oldest claim wins a namespace two tenants list. */
import { namespaceOwners, type TenantClaim } from '@mcpg-functions/shared/api';
import type { NamespacePlan } from './types.ts';

export function namespacePlan(
  tenant: TenantClaim,
  others: readonly TenantClaim[],
  existing: ReadonlySet<string>,
): NamespacePlan {
  const owners = namespaceOwners([tenant, ...others.filter((o) => o.name !== tenant.name)]);
  const plan: NamespacePlan = { bound: [], missing: [], lost: [] };
  for (const namespace of tenant.namespaces) {
    const owner = owners.get(namespace) ?? tenant.name;
    if (owner !== tenant.name) plan.lost.push({ namespace, owner });
    else if (existing.has(namespace)) plan.bound.push(namespace);
    else plan.missing.push(namespace);
  }
  return plan;
}
