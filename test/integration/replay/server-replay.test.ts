import { serverReconciler } from '@mcpg-functions/server/reconcile';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEvents, replayServer, type RecordedEvent } from '../../fixtures/events.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { expectNoWritesOnRedelivery, redeliverUntil, replayTarget, whileAlive } from '../support/replay.ts';

// CloudEvents recorded from Knative's real adapter (test/fixtures/recordings/server.ts), replayed into the server
// function in-process against the real API server: duplicated, reversed, for objects already gone, and for
// cluster-scoped objects the function does not own. The end state must not depend on any of that.
describe('replaying recorded ApiServerSource events into the server function', () => {
  const namespace = useNamespace('replay');
  const kube = clients();
  const target = replayTarget(serverReconciler({ bridgeImage: 'bridge:1' }), 'mcpg-functions/server');
  const { client, replay } = target;
  const serverPath = () => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/tools`;
  const phase = () =>
    kubeRequest<{ status?: { phase?: string } }>(kube.config, { method: 'GET', path: serverPath() }).then(
      (s) => s.status?.phase,
    );
  let events: RecordedEvent[];

  const withoutDelete = () => whileAlive(events, 'MCPGServer');

  beforeAll(async () => {
    await installCrds(kube);
    events = loadEvents('server', namespace.name);
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name: 'token' }, stringData: { TOKEN: 'one' } },
    });
    await apply(kube, replayServer(namespace.name));
  });

  it('renders the server from the recorded stream and answers every event with 204', async () => {
    expect(await replay(withoutDelete())).toEqual(withoutDelete().map(() => 204));
    await kube.apps.readNamespacedDeployment({ name: 'tools', namespace: namespace.name });
    await kube.core.readNamespacedService({ name: 'tools', namespace: namespace.name });
    // KWOK makes the pods ready; replaying the stream again (as a redelivery would) catches the status up.
    await redeliverUntil(replay, withoutDelete(), phase, 'Running');
  });

  it('makes no write when the same events arrive again, twice each, or in reverse order', async () => {
    await expectNoWritesOnRedelivery([target], withoutDelete());
    expect(await phase()).toBe('Running');
  });

  it('ignores a cluster-scoped object it does not own', async () => {
    const tenant = events.filter((e) => e.headers['ce-kind'] === 'MCPGTenant');
    expect(tenant.length).toBeGreaterThan(0);
    expect(
      tenant.every((e) => e.headers['ce-namespace'] === undefined || e.headers['ce-namespace'] === ''),
    ).toBe(true);
    const before = client.counts.writes;
    expect(await replay(tenant)).toEqual(tenant.map(() => 204));
    expect(client.counts.writes).toBe(before);
  });

  it('treats events for a deleted server as done, and recreates nothing', async () => {
    await kubeRequest(kube.config, { method: 'DELETE', path: serverPath() });
    await vi.waitFor(async () => {
      await expect(kubeRequest(kube.config, { method: 'GET', path: serverPath() })).rejects.toThrow(/404/);
    });
    const before = client.counts.writes;
    expect((await replay(events)).every((s) => s === 204)).toBe(true);
    expect(client.counts.writes).toBe(before);
  });
});
