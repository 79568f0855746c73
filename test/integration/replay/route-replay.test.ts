import { routeReconciler } from '@mcpg-functions/route/reconcile';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEvents, type RecordedEvent } from '../../fixtures/events.ts';
import { replayGatewayObjects } from '../../fixtures/gateway-replay.ts';
import { CHANGED_TOOLS } from '../../fixtures/recordings/route.ts';
import { setStatus } from '../gateway/fixtures.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { expectNoWritesOnRedelivery, replayTarget, whileAlive } from '../support/replay.ts';

interface RouteStatus {
  boundGateway?: string;
  matchedTools?: number;
  conditions?: { type: string; status: string }[];
}

// CloudEvents recorded from Knative's real adapter (test/fixtures/recordings/route.ts) replayed into the route
// function in-process against the real API server; and the recorded PingSource resync (recordings/ping.ts),
// which reaches a route no event announced.
describe('replaying recorded events into the route function', () => {
  const namespace = useNamespace('route-replay');
  const kube = clients();
  const target = replayTarget(routeReconciler(), 'mcpg-functions/route');
  const { client, replay } = target;
  const objects = replayGatewayObjects(namespace.name);
  const routePath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgroutes/${name}`;
  const status = (name: string) =>
    kubeRequest<{ status?: RouteStatus }>(kube.config, { method: 'GET', path: routePath(name) }).then(
      (r) => r.status,
    );
  let events: RecordedEvent[];
  const live = () => whileAlive(events, 'MCPGRoute');

  beforeAll(async () => {
    await installCrds(kube);
    events = loadEvents('route', namespace.name);
    await apply(kube, objects.gateway);
    await apply(kube, objects.pluginSet);
    await setStatus(kube.config, objects.pluginSet, objects.pluginSetStatus);
    // As the recording left it: its tools changed.
    await apply(kube, { ...objects.route, spec: { ...objects.route.spec, match: { tools: CHANGED_TOOLS } } });
  });

  it('binds the route from the recorded stream and counts its tools as they are now', async () => {
    expect(await replay(live())).toEqual(live().map(() => 204));
    expect(await status('orders')).toMatchObject({
      boundGateway: `${namespace.name}/gw`,
      matchedTools: CHANGED_TOOLS.length,
    });
  });

  it('makes no write when the same events arrive again, twice each, or in reverse order', async () => {
    await expectNoWritesOnRedelivery([target], live());
  });

  it('binds a route no event announced when the recorded resync arrives', async () => {
    const ping = loadEvents('ping', namespace.name);
    expect(ping.map((e) => e.headers['ce-type'])).toEqual(['dev.knative.sources.ping']);
    await apply(kube, { ...objects.route, metadata: { name: 'unannounced', namespace: namespace.name } });
    expect(await status('unannounced')).toBeUndefined();
    expect(await replay(ping)).toEqual([204]);
    await vi.waitFor(async () => {
      expect((await status('unannounced'))?.boundGateway).toBe(`${namespace.name}/gw`);
    });
  });

  it('treats events for a deleted route as done', async () => {
    await kubeRequest(kube.config, { method: 'DELETE', path: routePath('orders') });
    const before = client.counts.writes;
    const forOrders = events.filter(
      (e) => e.headers['ce-kind'] !== 'MCPGRoute' || e.headers['ce-name'] === 'orders',
    );
    expect((await replay(forOrders)).every((s) => s === 204)).toBe(true);
    expect(client.counts.writes).toBe(before);
  });
});
