/**
 * Resolution of a plugin set, pure: each enabled entry against the MCPGPlugin it names, in load order. An entry
 * resolves only to a plugin whose supply-chain status is current, Verified and Ready, not revoked, with a
 * digest-pinned artifact; anything else becomes a failed entry with a stable reason and what to fix.
 */
import type { Condition } from '@mcpg-functions/shared/api';
import { contentHash } from '@mcpg-functions/shared/runtime';
import { FAILURE } from './lifecycle.ts';
import type { Entry, FailedEntry, PluginObject, PluginSetObject, ResolvedPlugin } from './types.ts';

const DIGEST_PINNED = /@sha256:[a-f0-9]{64}$/;

export interface Resolution {
  resolved: ResolvedPlugin[];
  failed: FailedEntry[];
  enabled: number;
  total: number;
  /** sha256 of the resolved list: changes exactly when what gateways load changes. */
  hash: string;
}

function conditionOf(plugin: PluginObject, type: string): Condition | undefined {
  return plugin.status?.conditions?.find((c) => c.type === type);
}

function why(condition: Condition | undefined): string {
  if (!condition) return 'no condition reported yet';
  return condition.message ? `${condition.reason}: ${condition.message}` : condition.reason;
}

type Check = (entry: Entry, plugin: PluginObject) => Omit<FailedEntry, 'id'> | undefined;

const idMismatch: Check = (entry, plugin) =>
  plugin.spec?.pluginId === entry.id
    ? undefined
    : {
        reason: FAILURE.pluginIdMismatch,
        message: `MCPGPlugin "${plugin.metadata.name}" provides ${JSON.stringify(plugin.spec?.pluginId ?? null)}, not "${entry.id}"; set the entry's id to the plugin's spec.pluginId or reference the plugin that provides "${entry.id}"`,
      };

const revoked: Check = (_entry, plugin) =>
  plugin.status?.revokedBySha === true || conditionOf(plugin, 'Revoked')?.status === 'True'
    ? {
        reason: FAILURE.pluginRevoked,
        message: `MCPGPlugin "${plugin.metadata.name}" is revoked (${why(conditionOf(plugin, 'Revoked'))}); reference a release that is not revoked`,
      }
    : undefined;

const stale: Check = (_entry, plugin) => {
  const observed = plugin.status?.observedGeneration;
  if (observed === plugin.metadata.generation) return undefined;
  return {
    reason: FAILURE.pluginNotReady,
    message:
      observed === undefined
        ? `MCPGPlugin "${plugin.metadata.name}" has not been pulled and verified yet; it resolves once it is`
        : `MCPGPlugin "${plugin.metadata.name}" changed (generation ${plugin.metadata.generation ?? '?'}) and has not been verified since (status is from generation ${observed}); it resolves once verification catches up`,
  };
};

const unverified: Check = (_entry, plugin) => {
  const verified = conditionOf(plugin, 'Verified');
  return verified?.status === 'True'
    ? undefined
    : {
        reason: FAILURE.pluginNotVerified,
        message: `MCPGPlugin "${plugin.metadata.name}" is not verified (${why(verified)}); check its spec.trust and the artifact's signatures`,
      };
};

const notReady: Check = (_entry, plugin) => {
  const ready = conditionOf(plugin, 'Ready');
  return ready?.status === 'True'
    ? undefined
    : {
        reason: FAILURE.pluginNotReady,
        message: `MCPGPlugin "${plugin.metadata.name}" is not ready (${why(ready)}); see its conditions`,
      };
};

const noArtifact: Check = (_entry, plugin) =>
  DIGEST_PINNED.test(plugin.status?.artifact ?? '') && plugin.status?.resolvedDigest
    ? undefined
    : {
        reason: FAILURE.artifactMissing,
        message: `MCPGPlugin "${plugin.metadata.name}" reports no digest-pinned status.artifact and status.resolvedDigest; it resolves once its artifact is verified and published`,
      };

/** In order: the first failing check names the entry's problem. */
const CHECKS: readonly Check[] = [idMismatch, revoked, stale, unverified, notReady, noArtifact];

/** Why an entry cannot resolve against its plugin, or undefined when it can. */
export function entryFailure(entry: Entry, plugin: PluginObject | undefined): FailedEntry | undefined {
  if (!plugin) {
    return {
      id: entry.id,
      reason: FAILURE.pluginNotFound,
      message: `pluginRef names MCPGPlugin "${entry.pluginRef.name}", which does not exist; create it or fix the name`,
    };
  }
  for (const check of CHECKS) {
    const failure = check(entry, plugin);
    if (failure) return { id: entry.id, ...failure };
  }
  return undefined;
}

function resolvedEntry(set: PluginSetObject, entry: Entry, plugin: PluginObject): ResolvedPlugin {
  const capabilities = set.spec.capabilityGrants?.[entry.id];
  return {
    id: entry.id,
    pluginRef: entry.pluginRef.name,
    artifact: plugin.status?.artifact ?? '',
    digest: plugin.status?.resolvedDigest ?? '',
    enforce: entry.enforce,
    ...(entry.config ? { config: entry.config } : {}),
    ...(capabilities ? { capabilities: [...capabilities] } : {}),
  };
}

/** Resolves every enabled entry against the plugins by name (undefined: the plugin does not exist). */
export function resolvePluginSet(
  set: PluginSetObject,
  plugins: ReadonlyMap<string, PluginObject | undefined>,
): Resolution {
  const resolved: ResolvedPlugin[] = [];
  const failed: FailedEntry[] = [];
  const enabled = set.spec.entries.filter((entry) => entry.enabled);
  for (const entry of enabled) {
    const plugin = plugins.get(entry.pluginRef.name);
    const failure = entryFailure(entry, plugin);
    if (failure) failed.push(failure);
    else if (plugin) resolved.push(resolvedEntry(set, entry, plugin));
  }
  return {
    resolved,
    failed,
    enabled: enabled.length,
    total: set.spec.entries.length,
    hash: contentHash(resolved),
  };
}

/** Names of the MCPGPlugins a set's enabled entries need, each once. */
export function referencedPlugins(set: Pick<PluginSetObject, 'spec'>): string[] {
  return [...new Set(set.spec.entries.filter((e) => e.enabled).map((e) => e.pluginRef.name))];
}
