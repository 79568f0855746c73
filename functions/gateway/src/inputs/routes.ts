/** Routes bound to a gateway (targeting it from an accepted namespace), folded into tool-access rules. */
import { API_VERSION, namespaceOwners, type RouteSpec, type TenantSpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { ReconcileContext } from '@mcpg-functions/shared/runtime';
import { DEFAULT_IDENTITY_KEY, foldRoutes, type RouteIdentity } from '../config/access-rules.ts';
import type { GatewayObject, ToolAccess } from '../types.ts';

export type RouteObject = KubeObject & { spec: RouteSpec };
export type TenantObject = KubeObject & { spec: TenantSpec };

/** The gateway a route targets, as namespace/name (the route's own namespace when it names none). */
export function routeTarget(route: RouteObject): { namespace: string; name: string } {
  return {
    namespace: route.spec.gatewayRef.namespace ?? route.metadata.namespace ?? '',
    name: route.spec.gatewayRef.name,
  };
}

/** Whether a gateway takes routes from a namespace: its own always, others when listed. */
export function acceptsNamespace(
  gateway: {
    metadata: { namespace?: string | undefined };
    spec: { acceptedRouteNamespaces?: string[] | undefined };
  },
  namespace: string | undefined,
): boolean {
  return (
    namespace === gateway.metadata.namespace ||
    (gateway.spec.acceptedRouteNamespaces ?? []).includes(namespace ?? '')
  );
}

export function boundRoutes(gateway: GatewayObject, routes: readonly RouteObject[]): RouteObject[] {
  return routes
    .filter((r) => {
      const target = routeTarget(r);
      return target.namespace === gateway.metadata.namespace && target.name === gateway.metadata.name;
    })
    .filter((r) => acceptsNamespace(gateway, r.metadata.namespace));
}

/**
 * The identity attribute of the tenant owning each namespace (MCPGTenant.spec.identityAttribute). When two
 * tenants list one namespace, the owner is the older claim, as the tenant function and the webhook decide.
 */
export function tenantAttributes(
  tenants: readonly TenantObject[],
): Map<string, { key: string; value: string }> {
  const owners = namespaceOwners(
    tenants.map((t) => ({
      name: t.metadata.name,
      creationTimestamp: t.metadata.creationTimestamp,
      namespaces: t.spec.namespaces,
    })),
  );
  const byName = new Map(tenants.map((t) => [t.metadata.name, t]));
  const byNamespace = new Map<string, { key: string; value: string }>();
  for (const [namespace, owner] of owners) {
    const attribute = byName.get(owner)?.spec.identityAttribute;
    if (attribute) byNamespace.set(namespace, attribute);
  }
  return byNamespace;
}

export function routeIdentity(
  route: RouteObject,
  tenants: Map<string, { key: string; value: string }>,
): RouteIdentity {
  return {
    tools: route.spec.match.tools.map((t) => t.id),
    tenantAttribute: tenants.get(route.metadata.namespace ?? ''),
    attributes: route.spec.attributes,
  };
}

export const routeKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export async function resolveRoutes(
  gateway: GatewayObject,
  context: ReconcileContext,
): Promise<{ toolAccess: ToolAccess[]; routes: string[] }> {
  const all = await context.client.list<RouteObject>({ apiVersion: API_VERSION, kind: 'MCPGRoute' });
  const bound = boundRoutes(gateway, all).sort((a, b) => (routeKey(a) < routeKey(b) ? -1 : 1));
  if (bound.length === 0) return { toolAccess: [], routes: [] };
  const tenants = await context.client.list<TenantObject>({ apiVersion: API_VERSION, kind: 'MCPGTenant' });
  const attributes = tenantAttributes(tenants);
  return {
    toolAccess: foldRoutes(bound.map((r) => routeIdentity(r, attributes))),
    routes: bound.map(routeKey),
  };
}

export { DEFAULT_IDENTITY_KEY };
