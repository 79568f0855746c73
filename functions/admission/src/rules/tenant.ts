import type { FieldError, TenantSpec } from '@mcpg-functions/shared/api';
import type { CrossObjectRule } from './context.ts';

/** A namespace belongs to one tenant at most. */
export const tenantRules: CrossObjectRule<TenantSpec> = async ({ name, spec, lookups }) => {
  const others = (await lookups.tenants()).filter((t) => t.name !== name);
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
