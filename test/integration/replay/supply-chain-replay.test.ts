import { createRegistry } from '@mcpg-functions/shared/runtime';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { createSupplyChainMetrics } from '@mcpg-functions/supply-chain/metrics';
import { pluginReconciler } from '@mcpg-functions/supply-chain/reconcile';
import { revocationListReconciler } from '@mcpg-functions/supply-chain/revocation';
import { fromEnvironment, supplyChainSettings } from '@mcpg-functions/supply-chain/settings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvents, type RecordedEvent } from '../../fixtures/events.ts';
import { SUPPLY_CHAIN_NAMES, supplyChainObjects } from '../../fixtures/recordings/supply-chain.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { expectNoWritesOnRedelivery, replayTarget } from '../support/replay.ts';

interface PluginStatus {
  artifact?: string;
  conditions?: { type: string; status: string; reason: string }[];
}

// CloudEvents recorded from Knative's real adapter (test/fixtures/recordings/supply-chain.ts) replayed into the
// supply-chain function's plugin and revocation-list reconcilers in-process, against the real API server and a
// real registry holding a plugin signed like the recorded one. Each reconciler gets only the events of its own
// kind: a revocation list or Secret event sent to the plugin reconciler re-verifies every plugin in the cluster,
// other test files' too, with this file's settings.
describe('replaying recorded events into the supply-chain function', () => {
  const namespace = useNamespace('supply-replay');
  const kube = clients();
  // The registry listens on loopback, which the function reaches only where the operator names it: its address
  // is known once it runs, so the operator's list is filled in then.
  const loopbackRegistries: string[] = [];
  const base = fromEnvironment(supplyChainSettings.parse({ MCPG_OPERATOR_NAMESPACE: namespace.name }));
  const settings = {
    ...base,
    network: {
      ...base.network,
      privateRegistries: loopbackRegistries,
      insecureRegistries: loopbackRegistries,
    },
  };
  const plugins = replayTarget(
    pluginReconciler(settings, createSupplyChainMetrics(createRegistry('replay'))),
    'mcpg-functions/supply-chain',
  );
  const lists = replayTarget(revocationListReconciler(), 'mcpg-functions/supply-chain');
  let registry: LocalRegistry;
  let objects: Awaited<ReturnType<typeof supplyChainObjects>>;
  let events: RecordedEvent[];
  const ofKind = (kind: string) =>
    events.filter((e) => e.headers['ce-kind'] === kind && !e.headers['ce-type']?.endsWith('.delete'));
  const pluginPath = `/apis/mcpg.dev/v1alpha2/mcpgplugins/${SUPPLY_CHAIN_NAMES.plugin}`;
  const ready = async () =>
    (
      await kubeRequest<{ status?: PluginStatus }>(kube.config, { method: 'GET', path: pluginPath })
    ).status?.conditions?.find((c) => c.type === 'Ready');

  beforeAll(async () => {
    await installCrds(kube);
    registry = await startRegistry();
    loopbackRegistries.push(registry.host);
    events = loadEvents('supply-chain', namespace.name);
    objects = await supplyChainObjects(kube.config, registry.host, namespace.name);
    await apply(kube, objects.plugin);
  }, 60_000);
  afterAll(async () => {
    for (const path of [
      pluginPath,
      `/apis/mcpg.dev/v1alpha2/mcpgrevocationlists/${SUPPLY_CHAIN_NAMES.revocationList}`,
    ]) {
      await kubeRequest(kube.config, { method: 'DELETE', path }).catch(() => undefined);
    }
    await registry.stop();
  });

  it('verifies the plugin from its recorded events', async () => {
    const events = ofKind('MCPGPlugin');
    expect(events.length).toBeGreaterThan(1);
    expect(await plugins.replay(events)).toEqual(events.map(() => 204));
    expect(await ready()).toMatchObject({ status: 'True' });
  });

  it('revokes it once the list exists, and the list answers its own events', async () => {
    await apply(kube, objects.revocationList);
    // The function holds an object's own events while it is exactly what its last write left (the list's events
    // are what re-verify plugins there, for every plugin in the cluster, other files' too): a change to the
    // plugin since, here an annotation, lets its recorded events through.
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: pluginPath,
      body: { metadata: { annotations: { 'mcpg.dev/replay': 'revocation' } } },
      contentType: 'application/merge-patch+json',
    });
    // As the function orders them: plugins re-verified first, then the list reports what it blocks.
    expect(await plugins.replay(ofKind('MCPGPlugin'))).toEqual(ofKind('MCPGPlugin').map(() => 204));
    expect(await ready()).toMatchObject({ status: 'False', reason: 'Revoked' });
    const listEvents = ofKind('MCPGRevocationList');
    expect(listEvents.length).toBeGreaterThan(0);
    expect(await lists.replay(listEvents)).toEqual(listEvents.map(() => 204));
  });

  it('makes no write when the same events arrive again, twice each, or in reverse order', async () => {
    await expectNoWritesOnRedelivery([plugins], ofKind('MCPGPlugin'));
    await expectNoWritesOnRedelivery([lists], ofKind('MCPGRevocationList'));
  });
});
