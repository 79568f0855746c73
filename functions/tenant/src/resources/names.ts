import { labelValue } from '@mcpg-functions/shared/runtime';

/** Name of the ResourceQuota, Role and RoleBinding in each namespace (at most 63 characters). */
export function childName(tenant: string): string {
  return labelValue(`mcpg-tenant-${tenant}`);
}

/** The group whose members act for the tenant (mapped from the identity provider, as for any RBAC group). */
export function tenantGroup(tenant: string): string {
  return `mcpg.dev:tenant:${tenant}`;
}
