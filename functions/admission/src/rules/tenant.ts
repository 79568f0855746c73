import {
  namespaceClaimRefusal,
  reservedNamespaceRefusal,
  TENANT_OPT_IN_LABEL,
  type FieldError,
  type TenantSpec,
} from '@mcpg-functions/shared/api';
import { combine, type CrossObjectRule, type RuleContext, type RuleFindings } from './context.ts';

/**
 * A namespace belongs to one tenant at most. Read live, not from the cache, so that a tenant created a moment
 * ago already counts (tenants are written rarely; two written in the same instant can still both pass, and the
 * tenant function reports that overlap).
 */
async function exclusiveNamespaces({ name, spec, lookups }: RuleContext<TenantSpec>): Promise<RuleFindings> {
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
}

/** Only namespaces the administrator opted in, never the cluster's or the operator's; a missing one is a warning. */
async function claimableNamespaces({
  spec,
  lookups,
  policy,
}: RuleContext<TenantSpec>): Promise<RuleFindings> {
  const reserved = policy.operatorNamespace ? [policy.operatorNamespace] : [];
  const labels = await Promise.all(spec.namespaces.map((ns) => lookups.namespaceLabels(ns)));
  const findings: RuleFindings = { errors: [], warnings: [] };
  spec.namespaces.forEach((namespace, index) => {
    const found = labels[index];
    const at = `spec.namespaces[${index}]`;
    const refusal =
      found === undefined
        ? reservedNamespaceRefusal(namespace, reserved)
        : namespaceClaimRefusal(namespace, found, reserved);
    if (refusal !== undefined) {
      findings.errors.push({ path: at, message: `${refusal} (got ${JSON.stringify(namespace)})` });
    } else if (found === undefined) {
      findings.warnings.push(
        `${at}: namespace ${namespace} does not exist yet; it is bound once it exists with the label ${TENANT_OPT_IN_LABEL}=true`,
      );
    }
  });
  return findings;
}

export const tenantRules: CrossObjectRule<TenantSpec> = async (context) =>
  combine(...(await Promise.all([exclusiveNamespaces(context), claimableNamespaces(context)])));
