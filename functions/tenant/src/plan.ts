/**
 * Which listed namespaces a tenant holds, pure: the oldest claim wins a namespace two tenants list, and only
 * namespaces an administrator opted in (never kube-*) can be held, the same rule the webhook applies at write time.
 */
import { namespaceClaimRefusal, namespaceOwners, type TenantClaim } from '@mcpg-functions/shared/api';
import type { NamespacePlan } from './types.ts';

/** `existing`: the listed namespaces that exist, with their labels. */
export function namespacePlan(
  tenant: TenantClaim,
  others: readonly TenantClaim[],
  existing: ReadonlyMap<string, Readonly<Record<string, string>>>,
): NamespacePlan {
  const owners = namespaceOwners([tenant, ...others.filter((o) => o.name !== tenant.name)]);
  const plan: NamespacePlan = { bound: [], missing: [], lost: [], refused: [] };
  for (const namespace of tenant.namespaces) {
    const owner = owners.get(namespace) ?? tenant.name;
    const labels = existing.get(namespace);
    const refusal = labels === undefined ? undefined : namespaceClaimRefusal(namespace, labels);
    if (owner !== tenant.name) plan.lost.push({ namespace, owner });
    else if (labels === undefined) plan.missing.push(namespace);
    else if (refusal !== undefined) plan.refused.push({ namespace, why: refusal });
    else plan.bound.push(namespace);
  }
  return plan;
}
