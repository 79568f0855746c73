/** The tenant's condition vocabulary: types, stable reasons and messages that say what to fix. */
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import type { NamespacePlan } from './types.ts';
import type { Violations } from './violations.ts';

export const CONDITION = {
  ready: 'Ready',
  namespacesBound: 'NamespacesBound',
  conflict: 'Conflict',
  quota: 'QuotaWithinLimits',
  plugins: 'PluginsAllowed',
} as const;

export const REASON = {
  reconciled: 'Reconciled',
  allNamespacesBound: 'AllNamespacesBound',
  namespaceMissing: 'NamespaceMissing',
  namespaceNotEligible: 'NamespaceNotEligible',
  noConflict: 'NoConflict',
  namespaceClaimed: 'NamespaceClaimedByOlderTenant',
  withinLimits: 'WithinLimits',
  quotaExceeded: 'QuotaExceeded',
  allPluginsAllowed: 'AllPluginsAllowed',
  pluginNotAllowed: 'PluginNotAllowed',
} as const;

const list = (items: readonly string[]) => items.join('; ');

function namespaceConditions(plan: NamespacePlan): ConditionInput[] {
  const bound: ConditionInput =
    plan.refused.length > 0
      ? {
          type: CONDITION.namespacesBound,
          status: 'False',
          reason: REASON.namespaceNotEligible,
          message: `${list(plan.refused.map((r) => `namespace ${r.namespace} ${r.why}`))}; nothing of this tenant is applied there`,
        }
      : plan.missing.length === 0
        ? {
            type: CONDITION.namespacesBound,
            status: 'True',
            reason: REASON.allNamespacesBound,
            message: `${plan.bound.length} namespaces bound`,
          }
        : {
            type: CONDITION.namespacesBound,
            status: 'False',
            reason: REASON.namespaceMissing,
            message: `namespaces ${plan.missing.join(', ')} do not exist; create them or remove them from spec.namespaces`,
          };
  const conflict: ConditionInput =
    plan.lost.length === 0
      ? { type: CONDITION.conflict, status: 'False', reason: REASON.noConflict }
      : {
          type: CONDITION.conflict,
          status: 'True',
          reason: REASON.namespaceClaimed,
          message: `${list(plan.lost.map((l) => `namespace ${l.namespace} belongs to tenant ${l.owner}, which claimed it first`))}; remove it from spec.namespaces of one of them (nothing of this tenant is applied there meanwhile)`,
        };
  return [bound, conflict];
}

function violationConditions(violations: Violations): ConditionInput[] {
  return [
    violations.quota.length === 0
      ? { type: CONDITION.quota, status: 'True', reason: REASON.withinLimits }
      : {
          type: CONDITION.quota,
          status: 'False',
          reason: REASON.quotaExceeded,
          message: `${list(violations.quota)}; nothing running is changed: reduce them or raise spec.quotas`,
        },
    violations.plugins.length === 0
      ? { type: CONDITION.plugins, status: 'True', reason: REASON.allPluginsAllowed }
      : {
          type: CONDITION.plugins,
          status: 'False',
          reason: REASON.pluginNotAllowed,
          message: `${list(violations.plugins)}; remove the entries or add the plugins to spec.allowedPlugins`,
        },
  ];
}

/** Every condition of a tenant; Ready is False with the first problem's reason while any remains. */
export function tenantConditions(plan: NamespacePlan, violations: Violations): ConditionInput[] {
  const parts = [...namespaceConditions(plan), ...violationConditions(violations)];
  const problems = parts.filter((c) =>
    c.type === CONDITION.conflict ? c.status === 'True' : c.status === 'False',
  );
  const ready: ConditionInput =
    problems.length === 0
      ? {
          type: CONDITION.ready,
          status: 'True',
          reason: REASON.reconciled,
          message: `${plan.bound.length} namespaces fenced`,
        }
      : {
          type: CONDITION.ready,
          status: 'False',
          reason: problems[0]?.reason ?? REASON.reconciled,
          message: problems.map((p) => p.message).join(' | '),
        };
  return [ready, ...parts];
}
