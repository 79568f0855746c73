/** The cluster's conditions, pure: each check as its own condition, Ready False with the first problem. */
import { validateClusterSpec } from '@mcpg-functions/shared/api';
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import { backendPluginId, credentialSources } from './render.ts';
import type { ClusterObject, Observed, PluginObject } from './types.ts';

export const CONDITION = {
  ready: 'Ready',
  configValid: 'ConfigValid',
  pluginReady: 'PluginReady',
  credentials: 'CredentialsAvailable',
} as const;

export const REASON = {
  reconciled: 'Reconciled',
  valid: 'Valid',
  invalidConfig: 'InvalidConfig',
  pluginReady: 'PluginReady',
  noPluginNeeded: 'NoPluginNeeded',
  pluginNotFound: 'ClusterPluginNotFound',
  pluginNotReady: 'ClusterPluginNotReady',
  pluginMismatch: 'ClusterPluginMismatch',
  credentialsFound: 'CredentialsFound',
  secretMissing: 'CredentialSecretMissing',
} as const;

function configCondition(cluster: ClusterObject): ConditionInput {
  const errors = validateClusterSpec(cluster.spec).errors;
  return errors.length === 0
    ? { type: CONDITION.configValid, status: 'True', reason: REASON.valid }
    : {
        type: CONDITION.configValid,
        status: 'False',
        reason: REASON.invalidConfig,
        message: errors.map((e) => `${e.path} ${e.message}`).join('; '),
      };
}

const pluginFalse = (reason: string, message: string): ConditionInput => ({
  type: CONDITION.pluginReady,
  status: 'False',
  reason,
  message,
});

function isRevoked(plugin: PluginObject): boolean {
  const conditions = plugin.status?.conditions ?? [];
  return (
    plugin.status?.revokedBySha === true ||
    conditions.some((c) => c.type === 'Revoked' && c.status === 'True')
  );
}

function pluginProblem(name: string, expected: string, plugin: PluginObject): ConditionInput | undefined {
  const provided = plugin.spec?.pluginId;
  if (provided !== expected) {
    return pluginFalse(
      REASON.pluginMismatch,
      `MCPGPlugin "${name}" provides ${JSON.stringify(provided ?? null)}, not ${expected}; reference the plugin for this backend`,
    );
  }
  if (isRevoked(plugin)) {
    return pluginFalse(
      REASON.pluginNotReady,
      `MCPGPlugin "${name}" is revoked; reference a release that is not revoked`,
    );
  }
  const ready = plugin.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  const why = ready ? ready.reason : 'not verified yet';
  return pluginFalse(REASON.pluginNotReady, `MCPGPlugin "${name}" is not ready (${why}); see its conditions`);
}

function pluginCondition(cluster: ClusterObject, plugin: PluginObject | undefined): ConditionInput {
  const name = cluster.spec.pluginRef?.name;
  const expected = backendPluginId(cluster.spec.backend);
  if (!name || !expected) {
    return {
      type: CONDITION.pluginReady,
      status: 'True',
      reason: REASON.noPluginNeeded,
      message: expected
        ? `no spec.pluginRef: gateways load ${expected} from their plugin set`
        : 'single_node needs no plugin',
    };
  }
  if (!plugin)
    return pluginFalse(
      REASON.pluginNotFound,
      `spec.pluginRef names MCPGPlugin "${name}", which does not exist; create it or fix the name`,
    );
  return (
    pluginProblem(name, expected, plugin) ?? {
      type: CONDITION.pluginReady,
      status: 'True',
      reason: REASON.pluginReady,
      message: `MCPGPlugin "${name}" is ready`,
    }
  );
}

/** Credentials each bound gateway's namespace lacks: a missing Secret, or a Secret without the key. */
export function missingCredentials(
  cluster: ClusterObject,
  observed: Pick<Observed, 'gatewayNamespaces' | 'secretKeys'>,
): string[] {
  const namespaces = [...new Set(observed.gatewayNamespaces)].sort();
  return namespaces.flatMap((namespace) =>
    credentialSources(cluster.spec).flatMap((source) => {
      const keys = observed.secretKeys.get(`${namespace}/${source.secretName}`);
      if (!keys)
        return [`Secret ${namespace}/${source.secretName} (credential ${source.name}) does not exist`];
      return keys.includes(source.key)
        ? []
        : [`Secret ${namespace}/${source.secretName} has no key ${source.key} (credential ${source.name})`];
    }),
  );
}

function credentialCondition(missing: readonly string[]): ConditionInput {
  return missing.length === 0
    ? { type: CONDITION.credentials, status: 'True', reason: REASON.credentialsFound }
    : {
        type: CONDITION.credentials,
        status: 'False',
        reason: REASON.secretMissing,
        message: `${missing.join('; ')}; create them in every namespace with a bound gateway`,
      };
}

export function clusterConditions(cluster: ClusterObject, observed: Observed): ConditionInput[] {
  const parts = [
    configCondition(cluster),
    pluginCondition(cluster, observed.plugin),
    credentialCondition(missingCredentials(cluster, observed)),
  ];
  const problem = parts.find((c) => c.status === 'False');
  const ready: ConditionInput = problem
    ? { type: CONDITION.ready, status: 'False', reason: problem.reason, message: problem.message }
    : {
        type: CONDITION.ready,
        status: 'True',
        reason: REASON.reconciled,
        message: `${observed.gatewayNamespaces.length} gateways bound`,
      };
  return [ready, ...parts];
}
