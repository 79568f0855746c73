/**
 * The gateway's boot configuration: the spec's own `config` (snake_case, passed through), with what the
 * operator owns written over it — the plugins to load, the revocation list path, the cluster block, the
 * tool-access rules of bound routes and the federated servers.
 */
import { stringify } from 'yaml';
import type { Federation, GatewayInputs, PluginToLoad } from '../types.ts';
import { mergeToolAccess } from './access-rules.ts';

export const CONFIG_FILE = '/etc/mcpg/config.yaml';
export const PLUGINS_DIR = '/etc/mcpg/plugins';
export const REVOCATIONS_DIR = '/etc/mcpg/revocations';
export const REVOCATIONS_FILE = `${REVOCATIONS_DIR}/list.json`;
export const CREDENTIALS_DIR = '/etc/mcpg/credentials/cluster';

type Doc = Record<string, unknown>;

function object(value: unknown): Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Doc) } : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? [...(value as unknown[])] : [];
}

export function pluginDir(id: string): string {
  return `${PLUGINS_DIR}/${id}`;
}

export function pluginEntry(plugin: PluginToLoad): Doc {
  return {
    id: plugin.id,
    kind: 'native',
    source: { path: `${pluginDir(plugin.id)}/plugin.so`, artifact: plugin.artifact, digest: plugin.digest },
    enforce: plugin.enforce,
    ...(plugin.config ? { config: plugin.config } : {}),
    ...(plugin.capabilities?.length ? { granted_capabilities: plugin.capabilities } : {}),
  };
}

function withRevocations(config: Doc, revocations: string | undefined): void {
  if (revocations === undefined) return;
  const gateway = object(config.gateway);
  gateway.plugin_registry = { ...object(gateway.plugin_registry), revocation_list_path: REVOCATIONS_FILE };
  config.gateway = gateway;
}

function withCluster(config: Doc, inputs: GatewayInputs): void {
  if (!inputs.clusterBlock) return;
  const credentials = Object.fromEntries(
    inputs.credentials.map((c) => [
      c.name,
      { uri: `cred://cluster/${c.name}`, file: `${CREDENTIALS_DIR}/${c.name}` },
    ]),
  );
  config.cluster = {
    ...inputs.clusterBlock,
    ...(inputs.credentials.length > 0 ? { credentials } : {}),
  };
}

function withToolAccess(config: Doc, inputs: GatewayInputs): void {
  if (inputs.toolAccess.length === 0) return;
  const governance = object(config.governance);
  const policy = object(governance.policy);
  const toolAccess = object(policy.tool_access);
  toolAccess.rules = mergeToolAccess(list(toolAccess.rules), inputs.toolAccess);
  config.governance = { ...governance, policy: { ...policy, tool_access: toolAccess } };
}

function federationEntry(federation: Federation): Doc {
  return {
    name: federation.name,
    url: federation.url,
    tool_prefix: federation.toolPrefix,
    ...(federation.governance ? { governance: federation.governance } : {}),
    ...(federation.import ? { import: federation.import } : {}),
    ...(federation.auth ? { auth: federation.auth } : {}),
  };
}

/** Federated servers are added after the inline ones; an inline federation of the same name wins. */
function withFederations(config: Doc, federations: readonly Federation[]): void {
  if (federations.length === 0) return;
  const mcp = object(config.mcp);
  const inline = list(mcp.federations);
  const taken = new Set(inline.map((f) => object(f).name));
  mcp.federations = [...inline, ...federations.filter((f) => !taken.has(f.name)).map(federationEntry)];
  config.mcp = mcp;
}

export function renderConfig(specConfig: unknown, inputs: GatewayInputs): Doc {
  const config = structuredClone(object(specConfig));
  // With a plugin set the operator owns the list; without one, injected plugins join the config's own.
  const own = inputs.pluginSetBound ? [] : list(config.plugins);
  const ids = new Set(own.map((p) => object(p).id));
  const loaded = inputs.plugins.filter((p) => !ids.has(p.id)).map(pluginEntry);
  if (inputs.pluginSetBound || loaded.length > 0) config.plugins = [...own, ...loaded];
  withRevocations(config, inputs.revocations);
  withCluster(config, inputs);
  withToolAccess(config, inputs);
  withFederations(config, inputs.federations);
  return config;
}

/** The config file's text; stable for equal input, so its hash changes only when the config does. */
export function configText(config: Doc): string {
  return stringify(config, { lineWidth: 0, aliasDuplicateObjects: false, sortMapEntries: false });
}
