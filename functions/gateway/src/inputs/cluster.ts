/**
 * The coordination backend of a gateway bound to an MCPGCluster: the `cluster:` block, the backend's plugin
 * (injected into the plugin list) and the cluster's credentials, projected into the pods as files.
 */
import { API_VERSION, type ClusterSpec, type Condition } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { contentHash, type ConditionInput, type ReconcileContext } from '@mcpg-functions/shared/runtime';
import { CONDITION, REASON } from '../lifecycle.ts';
import type { GatewayObject, PluginToLoad, ProjectedCredential } from '../types.ts';

type ClusterObject = KubeObject & {
  spec?: Partial<ClusterSpec>;
  status?: { pluginId?: string; conditions?: Condition[] };
};
type PluginObject = KubeObject & {
  status?: { artifact?: string; resolvedDigest?: string; conditions?: Condition[] };
};

export interface ClusterResolution {
  block: Record<string, unknown> | undefined;
  plugin: PluginToLoad | undefined;
  credentials: ProjectedCredential[];
  credentialsHash: string | undefined;
  condition: ConditionInput;
}

const isReady = (o: { status?: { conditions?: Condition[] } } | undefined) =>
  o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function unbound(reason: string, message: string): ClusterResolution {
  return {
    block: undefined,
    plugin: undefined,
    credentials: [],
    credentialsHash: undefined,
    condition: {
      type: CONDITION.cluster,
      status: 'False',
      reason,
      message: `${message}; the config keeps its own cluster block`,
    },
  };
}

/** The block the gateway reads: `kind: <backend>` next to the backend's settings. Pure. */
export function clusterBlock(spec: Partial<ClusterSpec> | undefined): Record<string, unknown> {
  return { kind: spec?.backend ?? 'single_node', ...spec?.config };
}

export function credentialsOf(spec: Partial<ClusterSpec> | undefined): ProjectedCredential[] {
  return (spec?.credentialRefs ?? []).map((c) => ({
    name: c.name,
    secretName: c.secretName,
    key: c.key ?? c.name,
  }));
}

/** The backend's plugin as a plugin to load, when its MCPGPlugin is verified and has an artifact. Pure. */
export function clusterPlugin(
  cluster: ClusterObject,
  plugin: PluginObject | undefined,
): PluginToLoad | undefined {
  if (!plugin || !isReady(plugin)) return undefined;
  const artifact = plugin.status?.artifact;
  const digest = digestOf(plugin);
  if (!artifact || !digest) return undefined;
  return {
    id: cluster.status?.pluginId ?? `dev.mcpg.cluster.${backendOf(cluster)}`,
    pluginRef: plugin.metadata.name,
    artifact,
    digest,
    enforce: true,
  };
}

/** The digest the artifact reference pins, or the one the plugin reports. */
function digestOf(plugin: PluginObject): string | undefined {
  return plugin.status?.artifact?.split('@')[1] ?? plugin.status?.resolvedDigest;
}

const backendOf = (cluster: ClusterObject) => cluster.spec?.backend ?? 'single_node';

async function backendPlugin(cluster: ClusterObject, context: ReconcileContext) {
  const ref = cluster.spec?.pluginRef?.name;
  if (!ref || backendOf(cluster) === 'single_node') return { needed: false, plugin: undefined };
  const plugin = await context.client.get<PluginObject>({
    apiVersion: API_VERSION,
    kind: 'MCPGPlugin',
    name: ref,
  });
  return { needed: true, plugin: clusterPlugin(cluster, plugin), ref };
}

async function readCredentials(
  gateway: GatewayObject,
  credentials: ProjectedCredential[],
  context: ReconcileContext,
) {
  const secrets = await Promise.all(
    credentials.map((c) =>
      context.client.get({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: gateway.metadata.namespace,
        name: c.secretName,
      }),
    ),
  );
  const values = credentials.map((c, i) => ({
    ...c,
    value: (secrets[i]?.data as Record<string, string> | undefined)?.[c.key],
  }));
  return { missing: values.filter((v) => v.value === undefined), hash: contentHash(values) };
}

export async function resolveCluster(
  gateway: GatewayObject,
  context: ReconcileContext,
): Promise<ClusterResolution> {
  const name = gateway.spec.clusterRef?.name;
  if (!name) {
    return {
      ...unbound(REASON.singleNode, ''),
      condition: {
        type: CONDITION.cluster,
        status: 'True',
        reason: REASON.singleNode,
        message: 'no MCPGCluster referenced',
      },
    };
  }
  const cluster = await context.client.get<ClusterObject>({
    apiVersion: API_VERSION,
    kind: 'MCPGCluster',
    name,
  });
  if (!cluster)
    return unbound(
      REASON.clusterNotFound,
      `spec.clusterRef names MCPGCluster "${name}", which does not exist`,
    );
  if (!isReady(cluster)) return unbound(REASON.clusterNotReady, `MCPGCluster "${name}" is not ready`);
  const backend = await backendPlugin(cluster, context);
  if (backend.needed && !backend.plugin)
    return unbound(
      REASON.clusterPluginNotReady,
      `MCPGPlugin "${backend.ref}" of MCPGCluster "${name}" is not ready or has no artifact`,
    );
  const credentials = credentialsOf(cluster.spec);
  const read = await readCredentials(gateway, credentials, context);
  if (read.missing.length > 0) {
    const list = read.missing.map((m) => `${m.secretName}[${m.key}]`).join(', ');
    return unbound(
      REASON.credentialSecretMissing,
      `credentials of MCPGCluster "${name}" are missing in namespace ${gateway.metadata.namespace}: ${list}`,
    );
  }
  return {
    block: clusterBlock(cluster.spec),
    plugin: backend.plugin,
    credentials,
    credentialsHash: credentials.length > 0 ? read.hash : undefined,
    condition: {
      type: CONDITION.cluster,
      status: 'True',
      reason: REASON.clusterResolved,
      message: `bound to MCPGCluster "${name}"`,
    },
  };
}
