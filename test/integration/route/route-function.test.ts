import { wiring } from '@mcpg-functions/route/wiring';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';
import { exampleResolved, gatewayIn, pluginSetIn, READY, routeIn, setStatus } from '../gateway/fixtures.ts';

interface Route {
  status?: {
    boundGateway?: string;
    matchedTools?: number;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

// The route function as it runs in a cluster, fed by Knative's real adapter across namespaces (routes name
// gateways in other namespaces).
describe('the route function, driven by the real event source', () => {
  const gatewayNs = useNamespace('rt-gw');
  const teamA = useNamespace('rt-team-a');
  const teamB = useNamespace('rt-team-b');
  const kube = clients();
  let running: FunctionUnderTest;

  const routePath = (ns: string, name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${ns}/mcpgroutes/${name}`;
  const readRoute = (ns: string, name: string) =>
    kubeRequest<Route>(kube.config, { method: 'GET', path: routePath(ns, name) });
  const condition = async (ns: string, name: string, type: string) =>
    (await readRoute(ns, name)).status?.conditions?.find((c) => c.type === type);
  const target = () => ({ namespace: gatewayNs.name, name: 'shared' });
  const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 250 });

  beforeAll(async () => {
    await installCrds(kube);
    const set = await apply(kube, pluginSetIn(gatewayNs.name, 'production'));
    await setStatus(kube.config, set, { conditions: [READY], resolved: exampleResolved() });
    await apply(kube, gatewayIn(gatewayNs.name, 'shared', { acceptedRouteNamespaces: [teamA.name] }));
    running = await startWithEventSource({
      name: 'route',
      clients: kube,
      namespace: teamA.name,
      wiring,
      allNamespaces: true,
      probe: {
        create: (name) => apply(kube, routeIn(teamA.name, name, target())),
        reconciled: async (name) => (await readRoute(teamA.name, name)).status?.conditions !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: routePath(teamA.name, name) }),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await running.stop();
  });

  it('binds a route from an accepted namespace and reports its tools', async () => {
    await apply(kube, routeIn(teamA.name, 'orders', target()));
    await eventually(async () => {
      const route = await readRoute(teamA.name, 'orders');
      expect(route.status?.boundGateway).toBe(`${gatewayNs.name}/shared`);
      expect(route.status?.matchedTools).toBe(2);
      expect(await condition(teamA.name, 'orders', 'Ready')).toMatchObject({
        status: 'True',
        reason: 'Reconciled',
      });
      expect(await condition(teamA.name, 'orders', 'ChainsEnforced')).toMatchObject({
        status: 'False',
        reason: 'PerRouteDispatchUnsupported',
      });
    });
  });

  it('refuses a route from a namespace the gateway does not accept, with a condition saying how to fix it', async () => {
    await apply(kube, routeIn(teamB.name, 'orders', target()));
    await eventually(async () => {
      expect(await condition(teamB.name, 'orders', 'GatewayBound')).toMatchObject({
        status: 'False',
        reason: 'NamespaceNotAccepted',
        message: expect.stringContaining('spec.acceptedRouteNamespaces') as unknown,
      });
    });
    expect((await readRoute(teamB.name, 'orders')).status?.boundGateway).toBeUndefined();
  });

  it('reports chain plugins the gateway’s plugin set does not load, and clears it when the set gains them', async () => {
    await apply(kube, routeIn(teamA.name, 'audited', target(), { auditChain: ['dev.mcpg.audit.splunk'] }));
    await eventually(async () => {
      expect(await condition(teamA.name, 'audited', 'Ready')).toMatchObject({
        status: 'False',
        reason: 'ChainPluginMissing',
      });
    });
    await setStatus(
      kube.config,
      { kind: 'MCPGPluginSet', metadata: { name: 'production', namespace: gatewayNs.name } },
      {
        resolved: [...exampleResolved(), { ...exampleResolved()[0], id: 'dev.mcpg.audit.splunk' }],
      },
    );
    await eventually(async () => {
      expect(await condition(teamA.name, 'audited', 'Ready')).toMatchObject({ status: 'True' });
    });
  });

  it('names a missing gateway', async () => {
    await apply(kube, routeIn(teamA.name, 'lost', { namespace: gatewayNs.name, name: 'nowhere' }));
    await eventually(async () => {
      expect(await condition(teamA.name, 'lost', 'GatewayBound')).toMatchObject({
        status: 'False',
        reason: 'GatewayNotFound',
      });
    });
  });
});
