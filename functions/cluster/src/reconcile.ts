/** MCPGCluster: no children; status says what bound gateways get and whether they can use it. */
import { API_VERSION, requireKind, type ClusterSpec } from '@mcpg-functions/shared/api';
import { keyOf, type KubeObject, type ObjectKey } from '@mcpg-functions/shared/kube';
import {
  controllerOf,
  parseSpec,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { clusterConditions } from './lifecycle.ts';
import { backendPluginId, configHash, credentialSources } from './render.ts';
import type { ClusterObject, Observed, PluginObject } from './types.ts';

const KIND = requireKind('MCPGCluster');

type GatewayObject = KubeObject & { spec?: { clusterRef?: { name?: string } } };

const clusterOf = (gateway: GatewayObject) => gateway.spec?.clusterRef?.name;

async function readSecretKeys(
  cluster: ClusterObject,
  namespaces: readonly string[],
  context: ReconcileContext,
) {
  const wanted = [...new Set(namespaces)].flatMap((namespace) =>
    [...new Set(credentialSources(cluster.spec).map((s) => s.secretName))].map((name) => ({
      namespace,
      name,
    })),
  );
  const secrets = await Promise.all(
    wanted.map((ref) =>
      context.client.get<KubeObject & { data?: Record<string, string> }>({
        apiVersion: 'v1',
        kind: 'Secret',
        ...ref,
      }),
    ),
  );
  return new Map(
    wanted.map((ref, i) => [
      `${ref.namespace}/${ref.name}`,
      secrets[i] ? Object.keys(secrets[i].data ?? {}) : undefined,
    ]),
  );
}

async function observe(cluster: ClusterObject, context: ReconcileContext): Promise<Observed> {
  const pluginRef = cluster.spec.pluginRef?.name;
  const [plugin, gateways] = await Promise.all([
    pluginRef
      ? context.client.get<PluginObject>({ apiVersion: API_VERSION, kind: 'MCPGPlugin', name: pluginRef })
      : undefined,
    context.client.list<GatewayObject>({ apiVersion: API_VERSION, kind: 'MCPGGateway' }),
  ]);
  const gatewayNamespaces = gateways
    .filter((g) => clusterOf(g) === cluster.metadata.name)
    .map((g) => g.metadata.namespace ?? '');
  return { plugin, gatewayNamespaces, secretKeys: await readSecretKeys(cluster, gatewayNamespaces, context) };
}

/**
 * A gateway rendered again (its config ConfigMap changed): the cluster it names now, and every cluster counting
 * gateways (it may have left one). A ConfigMap already gone no longer names its gateway: recount them all.
 */
async function clustersForGatewayConfig(key: ObjectKey, context: ReconcileContext): Promise<ObjectKey[]> {
  const gatewayKey = await controllerOf(key, 'MCPGGateway', context.client);
  const [gateway, clusters] = await Promise.all([
    gatewayKey ? context.client.get<GatewayObject>(gatewayKey) : undefined,
    context.client.list<KubeObject & { status?: { boundGateways?: number } }>({
      apiVersion: API_VERSION,
      kind: KIND.kind,
    }),
  ]);
  const named = gateway ? clusterOf(gateway) : undefined;
  return clusters.filter((c) => c.metadata.name === named || (c.status?.boundGateways ?? 0) > 0).map(keyOf);
}

async function clustersForPlugin(key: ObjectKey, context: ReconcileContext): Promise<ObjectKey[]> {
  const clusters = await context.client.list<KubeObject & { spec?: { pluginRef?: { name?: string } } }>({
    apiVersion: API_VERSION,
    kind: KIND.kind,
  });
  return clusters.filter((c) => c.spec?.pluginRef?.name === key.name).map(keyOf);
}

export function clusterReconciler(): KindReconciler<ClusterObject> {
  return {
    kind: KIND,
    childTypes: [],
    async reconcile(object, context): Promise<Desired> {
      const cluster: ClusterObject = { ...object, spec: parseSpec(KIND, object) as ClusterSpec };
      const observed = await observe(cluster, context);
      const pluginId = backendPluginId(cluster.spec.backend);
      return {
        children: [],
        status: {
          ...(pluginId ? { pluginId } : {}),
          boundGateways: observed.gatewayNamespaces.length,
          configHash: configHash(cluster.spec),
        },
        conditions: clusterConditions(cluster, observed),
      };
    },
    /** Gateways re-count the clusters they join or leave; a plugin re-checks the clusters implemented by it. */
    async dependents(key, context): Promise<ObjectKey[]> {
      if (key.apiVersion === 'v1' && key.kind === 'ConfigMap') return clustersForGatewayConfig(key, context);
      if (key.apiVersion !== API_VERSION) return [];
      if (key.kind === 'MCPGPlugin') return clustersForPlugin(key, context);
      return [];
    },
  };
}
