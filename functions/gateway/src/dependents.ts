/**
 * Which gateways a change to another object affects, and only those: a plugin set to the gateways naming it,
 * a route or server to the gateway it targets now and the gateways that folded it in before (recorded on
 * their ConfigMaps), a cluster, revocation list, tenant, cluster plugin or credential Secret to the gateways
 * bound through it.
 */
import { API_VERSION, type ClusterSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import type { ReconcileContext } from '@mcpg-functions/shared/runtime';
import { revocationListName } from './inputs/revocations.ts';
import { routeTarget, type RouteObject, type TenantObject } from './inputs/routes.ts';
import { SOURCE_ANNOTATIONS } from './resources/names.ts';
import type { GatewayObject } from './types.ts';

type Handler = (key: ObjectKey, context: ReconcileContext) => Promise<ObjectKey[]>;
type ClusterObject = KubeObject & { spec?: Partial<ClusterSpec> };

const gatewayKey = (namespace: string | undefined, name: string): ObjectKey => ({
  apiVersion: API_VERSION,
  kind: 'MCPGGateway',
  namespace,
  name,
});

const keyOfGateway = (g: KubeObject) => gatewayKey(g.metadata.namespace, g.metadata.name);

function listGateways(context: ReconcileContext, namespace?: string): Promise<GatewayObject[]> {
  return context.client.list<GatewayObject>({ apiVersion: API_VERSION, kind: 'MCPGGateway', namespace });
}

/** Gateways whose ConfigMap records a route or server matching `recorded` (what they folded in last time). */
async function recordedBy(
  context: ReconcileContext,
  annotation: string,
  recorded: (entry: string) => boolean,
): Promise<ObjectKey[]> {
  const configMaps = await context.client.list(
    { apiVersion: 'v1', kind: 'ConfigMap' },
    'app.kubernetes.io/managed-by=mcpg-functions,app.kubernetes.io/name=mcpggateway',
  );
  return configMaps
    .filter((c) =>
      (c.metadata.annotations?.[annotation] ?? '').split(',').some((e) => e !== '' && recorded(e)),
    )
    .flatMap((c) => {
      const owner = c.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'MCPGGateway');
      return owner ? [gatewayKey(c.metadata.namespace, owner.name)] : [];
    });
}

const entryOf = (key: ObjectKey) => `${key.namespace ?? ''}/${key.name}`;

const onPluginSet: Handler = async (key, context) =>
  (await listGateways(context, key.namespace))
    .filter((g) => g.spec.pluginSetRef?.name === key.name)
    .map(keyOfGateway);

const onRoute: Handler = async (key, context) => {
  const route = await context.client.get<RouteObject>(key);
  const now = route ? [gatewayKey(routeTarget(route).namespace, routeTarget(route).name)] : [];
  return [...now, ...(await recordedBy(context, SOURCE_ANNOTATIONS.routes, (e) => e === entryOf(key)))];
};

const onServer: Handler = async (key, context) => {
  const server = await context.client.get<
    KubeObject & { spec?: { federate?: { gatewayRef?: { name?: string } } } }
  >(key);
  const target = server?.spec?.federate?.gatewayRef?.name;
  const now = target ? [gatewayKey(key.namespace, target)] : [];
  return [...now, ...(await recordedBy(context, SOURCE_ANNOTATIONS.servers, (e) => e === entryOf(key)))];
};

const onCluster: Handler = async (key, context) =>
  (await listGateways(context)).filter((g) => g.spec.clusterRef?.name === key.name).map(keyOfGateway);

const onRevocationList: Handler = async (key, context) =>
  (await listGateways(context)).filter((g) => revocationListName(g) === key.name).map(keyOfGateway);

/** A tenant's identity attribute shapes the rules of routes from its namespaces (all recorded routes when it is gone). */
const onTenant: Handler = async (key, context) => {
  const tenant = await context.client.get<TenantObject>(key);
  const namespaces = new Set(tenant?.spec.namespaces ?? []);
  const inTenant = (entry: string) => !tenant || namespaces.has(entry.split('/')[0] ?? '');
  const routes = tenant
    ? (await context.client.list<RouteObject>({ apiVersion: API_VERSION, kind: 'MCPGRoute' })).filter((r) =>
        namespaces.has(r.metadata.namespace ?? ''),
      )
    : [];
  const now = routes.map((r) => gatewayKey(routeTarget(r).namespace, routeTarget(r).name));
  return [...now, ...(await recordedBy(context, SOURCE_ANNOTATIONS.routes, inTenant))];
};

/** The backend plugin of a cluster is injected into its gateways. */
const onPlugin: Handler = async (key, context) => {
  const clusters = await context.client.list<ClusterObject>({ apiVersion: API_VERSION, kind: 'MCPGCluster' });
  const names = new Set(
    clusters.filter((c) => c.spec?.pluginRef?.name === key.name).map((c) => c.metadata.name),
  );
  if (names.size === 0) return [];
  return (await listGateways(context))
    .filter((g) => names.has(g.spec.clusterRef?.name ?? ''))
    .map(keyOfGateway);
};

/** A Secret holding a credential of a cluster that a gateway in its namespace is bound to. */
const onSecret: Handler = async (key, context) => {
  const bound = (await listGateways(context, key.namespace)).filter((g) => g.spec.clusterRef);
  if (bound.length === 0) return [];
  const clusterNames = [...new Set(bound.map((g) => g.spec.clusterRef?.name ?? ''))];
  const clusters = await Promise.all(
    clusterNames.map((name) =>
      context.client.get<ClusterObject>({ apiVersion: API_VERSION, kind: 'MCPGCluster', name }),
    ),
  );
  const using = new Set(
    clusters
      .filter((c) => c?.spec?.credentialRefs?.some((ref) => ref.secretName === key.name))
      .map((c) => c?.metadata.name),
  );
  return bound.filter((g) => using.has(g.spec.clusterRef?.name)).map(keyOfGateway);
};

const HANDLERS: Record<string, Handler> = {
  [`${API_VERSION}/MCPGPluginSet`]: onPluginSet,
  [`${API_VERSION}/MCPGRoute`]: onRoute,
  [`${API_VERSION}/MCPGServer`]: onServer,
  [`${API_VERSION}/MCPGCluster`]: onCluster,
  [`${API_VERSION}/MCPGRevocationList`]: onRevocationList,
  [`${API_VERSION}/MCPGTenant`]: onTenant,
  [`${API_VERSION}/MCPGPlugin`]: onPlugin,
  'v1/Secret': onSecret,
};

export async function gatewayDependents(key: ObjectKey, context: ReconcileContext): Promise<ObjectKey[]> {
  const handler = HANDLERS[`${key.apiVersion}/${key.kind}`];
  if (!handler) return [];
  const keys = await handler(key, context);
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = `${k.namespace ?? ''}/${k.name}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
