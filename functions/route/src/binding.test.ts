import { requireKind, type RouteSpec } from '@mcpg-functions/shared/api';
import { describe, expect, it } from 'vitest';
import { routeStatus, type GatewayView } from './binding.ts';
import { loadedPluginIds } from './reconcile.ts';

const spec = (extra: Record<string, unknown> = {}): RouteSpec =>
  requireKind('MCPGRoute').spec.parse({
    gatewayRef: { name: 'gw', namespace: 'mcpg' },
    match: { tools: [{ id: 'orders.list' }, { id: 'orders.get' }] },
    ...extra,
  }) as RouteSpec;

const gateway = (extra: Partial<GatewayView> = {}): GatewayView => ({
  namespace: 'mcpg',
  name: 'gw',
  acceptedRouteNamespaces: ['team-a'],
  pluginIds: ['dev.mcpg.identity.workload'],
  pluginSetName: 'production',
  ...extra,
});

const byType = (conditions: { type: string }[], type: string) => conditions.find((c) => c.type === type);

describe('route status', () => {
  it.each([
    {
      name: 'bound from an accepted namespace',
      ns: 'team-a',
      gw: gateway(),
      bound: 'GatewayBound',
      ready: 'Reconciled',
    },
    {
      name: 'bound from the gateway’s own namespace',
      ns: 'mcpg',
      gw: gateway({ acceptedRouteNamespaces: [] }),
      bound: 'GatewayBound',
      ready: 'Reconciled',
    },
    {
      name: 'refused from another namespace',
      ns: 'team-b',
      gw: gateway(),
      bound: 'NamespaceNotAccepted',
      ready: 'NamespaceNotAccepted',
    },
    {
      name: 'missing gateway',
      ns: 'team-a',
      gw: undefined,
      bound: 'GatewayNotFound',
      ready: 'GatewayNotFound',
    },
  ])('$name', ({ ns, gw, bound, ready }) => {
    const { status, conditions } = routeStatus(spec(), ns, gw);
    expect(byType(conditions, 'GatewayBound')).toMatchObject({ reason: bound });
    expect(byType(conditions, 'Ready')).toMatchObject({ reason: ready });
    expect(status.matchedTools).toBe(2);
    expect('boundGateway' in status).toBe(bound === 'GatewayBound');
  });

  it('names each chain plugin the gateway does not load', () => {
    const { conditions } = routeStatus(
      spec({ identityChain: ['dev.mcpg.identity.workload'], auditChain: ['dev.mcpg.audit.missing'] }),
      'team-a',
      gateway(),
    );
    expect(byType(conditions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ChainPluginMissing',
      message: expect.stringContaining('spec.auditChain[0] dev.mcpg.audit.missing') as unknown,
    });
  });

  it.each([
    { chains: {}, status: 'True', reason: 'NoChainsRequested' },
    {
      chains: { policyChain: ['dev.mcpg.identity.workload'] },
      status: 'False',
      reason: 'PerRouteDispatchUnsupported',
    },
  ])('says honestly whether chains are enforced: $reason', ({ chains, status, reason }) => {
    expect(byType(routeStatus(spec(chains), 'team-a', gateway()).conditions, 'ChainsEnforced')).toMatchObject(
      { status, reason },
    );
  });

  it('reads loaded plugins from the resolved list, else the enabled entries', () => {
    const set = (s: Record<string, unknown>) => ({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPluginSet',
      metadata: { name: 's' },
      ...s,
    });
    expect(loadedPluginIds(set({ status: { resolved: [{ id: 'a.b' }] } }))).toEqual(['a.b']);
    expect(
      loadedPluginIds(set({ spec: { entries: [{ id: 'a.b' }, { id: 'c.d', enabled: false }] } })),
    ).toEqual(['a.b']);
    expect(loadedPluginIds(undefined)).toBeUndefined();
  });
});
