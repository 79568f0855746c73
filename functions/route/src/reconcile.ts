/** MCPGRoute: bind to the gateway, check chain plugins against its plugin set, report status (no children). */
import {
  API_VERSION,
  requireKind,
  type Condition,
  type GatewaySpec,
  type RouteSpec,
} from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import {
  controllerOf,
  parseSpec,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { gatewayOf, routeStatus, type GatewayView } from './binding.ts';

const KIND = requireKind('MCPGRoute');

type RouteObject = KubeObject & { spec: RouteSpec };
type GatewayObject = KubeObject & { spec: Partial<GatewaySpec> };
type PluginSetObject = KubeObject & {
  spec?: { entries?: { id: string; enabled?: boolean }[] };
  status?: { resolved?: { id: string }[]; conditions?: Condition[] };
};

/** What the gateway loads: the set's resolved list once it has one, otherwise its enabled entries. */
export function loadedPluginIds(set: PluginSetObject | undefined): string[] | undefined {
  if (!set) return undefined;
  if (set.status?.resolved) return set.status.resolved.map((r) => r.id);
  return (set.spec?.entries ?? []).filter((e) => e.enabled !== false).map((e) => e.id);
}

async function viewOf(
  gateway: GatewayObject | undefined,
  context: ReconcileContext,
): Promise<GatewayView | undefined> {
  if (!gateway) return undefined;
  const setName = gateway.spec.pluginSetRef?.name;
  const set = setName
    ? await context.client.get<PluginSetObject>({
        apiVersion: API_VERSION,
        kind: 'MCPGPluginSet',
        namespace: gateway.metadata.namespace,
        name: setName,
      })
    : undefined;
  return {
    namespace: gateway.metadata.namespace ?? '',
    name: gateway.metadata.name,
    acceptedRouteNamespaces: gateway.spec.acceptedRouteNamespaces ?? [],
    pluginIds: setName ? loadedPluginIds(set) : [],
    pluginSetName: setName,
  };
}

const routeKeyOf = (r: KubeObject): ObjectKey => ({
  apiVersion: API_VERSION,
  kind: 'MCPGRoute',
  namespace: r.metadata.namespace,
  name: r.metadata.name,
});

/** Routes targeting the gateways a change touches: a gateway's config, or the gateways using a plugin set. */
async function routeDependents(key: ObjectKey, context: ReconcileContext): Promise<ObjectKey[]> {
  let gateways: string[] = [];
  if (key.apiVersion === 'v1' && key.kind === 'ConfigMap') {
    const gateway = await controllerOf(key, 'MCPGGateway', context.client);
    gateways = gateway ? [`${key.namespace ?? ''}/${gateway.name}`] : [];
  }
  if (key.kind === 'MCPGPluginSet') {
    const inNamespace = await context.client.list<GatewayObject>({
      apiVersion: API_VERSION,
      kind: 'MCPGGateway',
      namespace: key.namespace,
    });
    gateways = inNamespace
      .filter((g) => g.spec.pluginSetRef?.name === key.name)
      .map((g) => `${key.namespace ?? ''}/${g.metadata.name}`);
  }
  if (gateways.length === 0) return [];
  const routes = await context.client.list<RouteObject>({ apiVersion: API_VERSION, kind: 'MCPGRoute' });
  return routes
    .filter((r) => {
      const target = gatewayOf(r.spec, r.metadata.namespace ?? '');
      return gateways.includes(`${target.namespace}/${target.name}`);
    })
    .map(routeKeyOf);
}

export function routeReconciler(): KindReconciler<RouteObject> {
  return {
    kind: KIND,
    childTypes: [],
    dependents: routeDependents,
    async reconcile(object, context): Promise<Desired> {
      const spec = parseSpec(KIND, object) as RouteSpec;
      const namespace = object.metadata.namespace ?? '';
      const target = gatewayOf(spec, namespace);
      const gateway = await context.client.get<GatewayObject>({
        apiVersion: API_VERSION,
        kind: 'MCPGGateway',
        ...target,
      });
      const { status, conditions } = routeStatus(spec, namespace, await viewOf(gateway, context));
      return { children: [], status, conditions };
    },
  };
}
