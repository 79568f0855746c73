import type { FieldError, TenantSpec } from '@mcpg-functions/shared/api';
import type { CrossObjectRule } from './context.ts';

/**
 * A namespace belongs to one tenant at most. Read live, not from the cache, so that a tenant created a moment
 * ago already counts (tenants are written rarely; two written in the same instant can still both pass, and the
 * tenant function reports that overlap).
 */
export const tenantRules: CrossObjectRule<TenantSpec> = async ({ name, spec, lookups }) => {
  const others = (await lookups.currentTenants()).filter((t) => t.name !== name);
  const errors: FieldError[] = [];
  spec.namespaces.forEach((namespace, index) => {
    const owner = others.find((t) => t.spec.namespaces.includes(namespace));
    if (owner) {
      errors.push({
        path: `spec.namespaces[${index}]`,
        message: `already belongs to tenant ${owner.name} (got ${JSON.stringify(namespace)}); remove it there first`,
      });
    }
  });
  return { errors, warnings: [] };
};
