/**
 * A route's status from its gateway and that gateway's plugin set. Pure: the reconciler reads the objects.
 * The gateway function folds bound routes into the gateway's config; this only reports the outcome honestly.
 */
import type { RouteSpec } from '@mcpg-functions/shared/api';
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import { CONDITION, REASON } from './lifecycle.ts';

export interface GatewayView {
  namespace: string;
  name: string;
  acceptedRouteNamespaces: string[];
  /** Plugin ids the gateway loads (its plugin set's resolved list, or the set's enabled entries). */
  pluginIds: string[] | undefined;
  pluginSetName: string | undefined;
}

const CHAINS = ['identityChain', 'policyChain', 'auditChain'] as const;

export function gatewayOf(spec: RouteSpec, routeNamespace: string): { namespace: string; name: string } {
  return { namespace: spec.gatewayRef.namespace ?? routeNamespace, name: spec.gatewayRef.name };
}

function bindCondition(
  routeNamespace: string,
  target: { namespace: string; name: string },
  gateway: GatewayView | undefined,
): ConditionInput {
  const ref = `${target.namespace}/${target.name}`;
  if (!gateway)
    return {
      type: CONDITION.gatewayBound,
      status: 'False',
      reason: REASON.gatewayNotFound,
      message: `spec.gatewayRef names MCPGGateway ${ref}, which does not exist; create it or fix the reference`,
    };
  if (routeNamespace !== gateway.namespace && !gateway.acceptedRouteNamespaces.includes(routeNamespace))
    return {
      type: CONDITION.gatewayBound,
      status: 'False',
      reason: REASON.namespaceNotAccepted,
      message: `MCPGGateway ${ref} does not accept routes from namespace ${routeNamespace}; add it to the gateway's spec.acceptedRouteNamespaces`,
    };
  return {
    type: CONDITION.gatewayBound,
    status: 'True',
    reason: REASON.gatewayBound,
    message: `bound to MCPGGateway ${ref}`,
  };
}

/** Chain plugin ids the gateway does not load, each with the field that names it. */
export function missingChainPlugins(spec: RouteSpec, gateway: GatewayView): string[] {
  const loaded = new Set(gateway.pluginIds ?? []);
  return CHAINS.flatMap((chain) =>
    (spec[chain] ?? []).flatMap((id, index) => (loaded.has(id) ? [] : [`spec.${chain}[${index}] ${id}`])),
  );
}

function chainsCondition(spec: RouteSpec): ConditionInput {
  const requested = CHAINS.some((chain) => (spec[chain] ?? []).length > 0);
  return requested
    ? {
        type: CONDITION.chainsEnforced,
        status: 'False',
        reason: REASON.perRouteDispatchUnsupported,
        message:
          'the gateway runs its plugin set for every route; per-route chains are checked and recorded, not dispatched per route',
      }
    : {
        type: CONDITION.chainsEnforced,
        status: 'True',
        reason: REASON.noChainsRequested,
        message: 'the route asks for no per-route chains',
      };
}

function readyCondition(
  spec: RouteSpec,
  bound: ConditionInput,
  gateway: GatewayView | undefined,
): ConditionInput {
  if (bound.status !== 'True' || !gateway) return { ...bound, type: CONDITION.ready };
  const missing = missingChainPlugins(spec, gateway);
  if (missing.length > 0)
    return {
      type: CONDITION.ready,
      status: 'False',
      reason: REASON.chainPluginMissing,
      message: `not loaded by the gateway's plugin set${gateway.pluginSetName ? ` "${gateway.pluginSetName}"` : ' (it has none)'}: ${missing.join(', ')}`,
    };
  return { type: CONDITION.ready, status: 'True', reason: REASON.reconciled, message: bound.message };
}

export function routeStatus(spec: RouteSpec, routeNamespace: string, gateway: GatewayView | undefined) {
  const target = gatewayOf(spec, routeNamespace);
  const bound = bindCondition(routeNamespace, target, gateway);
  return {
    status: {
      matchedTools: spec.match.tools.length,
      ...(bound.status === 'True' ? { boundGateway: `${target.namespace}/${target.name}` } : {}),
    },
    conditions: [readyCondition(spec, bound, gateway), bound, chainsCondition(spec)],
  };
}
