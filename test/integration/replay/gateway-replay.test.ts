import { gatewayReconciler } from '@mcpg-functions/gateway/reconcile';
import { gatewaySettings, renderSettings } from '@mcpg-functions/gateway/settings';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { loadEvents, type RecordedEvent } from '../../fixtures/events.ts';
import { replayGatewayObjects } from '../../fixtures/gateway-replay.ts';
import { setStatus } from '../gateway/fixtures.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { expectNoWritesOnRedelivery, isDeleteOf, replayTarget } from '../support/replay.ts';

// CloudEvents recorded from Knative's real adapter (test/fixtures/recordings/gateway.ts) replayed into the
// gateway function in-process against the real API server: dependency events (plugin set, route, cluster-scoped
// revocation list) map to the gateway, redeliveries and reordering change nothing, a deleted route is dropped.
describe('replaying recorded ApiServerSource events into the gateway function', () => {
  const namespace = useNamespace('gw-replay');
  const kube = clients();
  const target = replayTarget(
    // The function's default settings: a gateway function running in another test file renders the same.
    gatewayReconciler(renderSettings(gatewaySettings.parse({}))),
    'mcpg-functions/gateway',
  );
  const objects = replayGatewayObjects(namespace.name);
  let events: RecordedEvent[];

  const { client, replay } = target;
  const isRouteDelete = (e: RecordedEvent) => isDeleteOf(e, 'MCPGRoute');
  const toolRules = async () => {
    const configMap = await kubeRequest<{ data: Record<string, string> }>(kube.config, {
      method: 'GET',
      path: `/api/v1/namespaces/${namespace.name}/configmaps/gw-config`,
    });
    const config = parse(configMap.data['config.yaml'] ?? '') as {
      governance?: { policy: { tool_access: { rules: { tool_name: string }[] } } };
    };
    return config.governance?.policy.tool_access.rules.map((r) => r.tool_name) ?? [];
  };
  const ready = async () =>
    (
      await kubeRequest<{ status?: { conditions?: { type: string; status: string }[] } }>(kube.config, {
        method: 'GET',
        path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpggateways/gw`,
      })
    ).status?.conditions?.find((c) => c.type === 'Ready')?.status;

  beforeAll(async () => {
    await installCrds(kube);
    events = loadEvents('gateway', namespace.name);
    await apply(kube, objects.revocationList);
    await apply(kube, objects.pluginSet);
    await setStatus(kube.config, objects.pluginSet, objects.pluginSetStatus);
    await apply(kube, objects.gateway);
    await apply(kube, objects.route);
  });

  it('renders the gateway from dependency events alone and answers each with 204', async () => {
    const live = events.filter((e) => !isRouteDelete(e));
    expect(await replay(live)).toEqual(live.map(() => 204));
    expect(await toolRules()).toEqual(['orders.get', 'orders.list']);
    // KWOK makes the pod ready; a redelivery of the Deployment's events catches the status up.
    await vi.waitFor(
      async () => {
        await replay(live.filter((e) => e.headers['ce-kind'] === 'Deployment'));
        expect(await ready()).toBe('True');
      },
      { timeout: 30_000, interval: 500 },
    );
  });

  it('makes no write when the events arrive again, twice each, or in reverse order', async () => {
    await expectNoWritesOnRedelivery(
      [target],
      events.filter((e) => !isRouteDelete(e)),
    );
  });

  it('maps a cluster-scoped revocation list event to the gateway that enforces it', async () => {
    const list = events.filter((e) => e.headers['ce-kind'] === 'MCPGRevocationList');
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((e) => !e.headers['ce-namespace'])).toBe(true);
    await apply(kube, {
      ...objects.revocationList,
      spec: { revocations: [{ artifactSha256: 'cd'.repeat(32), reason: 'replay' }] },
    });
    const before = client.counts.writes;
    expect(await replay(list)).toEqual(list.map(() => 204));
    expect(client.counts.writes).toBeGreaterThan(before);
  });

  it('drops the rules of a deleted route when its delete event arrives', async () => {
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgroutes/orders`,
    });
    expect(await replay(events.filter(isRouteDelete))).toEqual([204]);
    expect(await toolRules()).toEqual([]);
  });
});
