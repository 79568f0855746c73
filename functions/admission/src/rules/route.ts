import type { RouteSpec } from '@mcpg-functions/shared/api';
import { NOTHING, type CrossObjectRule } from './context.ts';

/** A route may attach to a gateway in another namespace only if that gateway accepts the route's namespace. */
export const routeRules: CrossObjectRule<RouteSpec> = async ({ namespace, spec, lookups }) => {
  const gatewayNamespace = spec.gatewayRef.namespace ?? namespace;
  if (!namespace || !gatewayNamespace) return NOTHING;
  const gateway = await lookups.gateway(gatewayNamespace, spec.gatewayRef.name);
  const ref = `${gatewayNamespace}/${spec.gatewayRef.name}`;
  if (!gateway) {
    return {
      errors: [],
      warnings: [
        `spec.gatewayRef: MCPGGateway ${ref} does not exist yet; the route stays unbound until it does`,
      ],
    };
  }
  if (gatewayNamespace === namespace || (gateway.spec.acceptedRouteNamespaces ?? []).includes(namespace))
    return NOTHING;
  return {
    errors: [
      {
        path: 'spec.gatewayRef',
        message: `names MCPGGateway ${ref}, which does not accept routes from namespace ${namespace}; add ${namespace} to its spec.acceptedRouteNamespaces`,
      },
    ],
    warnings: [],
  };
};
