import { serverReconciler } from '@mcpg-functions/server/reconcile';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvents, replayServer, type RecordedEvent } from '../../fixtures/events.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { expectNoWritesOnRedelivery, redeliverUntil, replayTarget, whileAlive } from '../support/replay.ts';

// The server recording again, with the adapter in Reference mode (test/fixtures/recordings/server.ts): each event
// names its object and carries no copy of it, which is all a level-based function needs.
describe('replaying recorded Reference-mode events into the server function', () => {
  const namespace = useNamespace('ref-replay');
  const kube = clients();
  const target = replayTarget(serverReconciler({ bridgeImage: 'bridge:1' }), 'mcpg-functions/server');
  const { replay } = target;
  const phase = () =>
    kubeRequest<{ status?: { phase?: string } }>(kube.config, {
      method: 'GET',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/tools`,
    }).then((s) => s.status?.phase);
  let events: RecordedEvent[];
  const live = () => whileAlive(events, 'MCPGServer');

  beforeAll(async () => {
    await installCrds(kube);
    events = loadEvents('server-reference', namespace.name);
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name: 'token' }, stringData: { TOKEN: 'one' } },
    });
    await apply(kube, replayServer(namespace.name));
  });

  it('holds reference events only, each naming an object without its content', () => {
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) {
      expect(event.headers['ce-type']).toMatch(/^dev\.knative\.apiserver\.ref\.(add|update|delete)$/);
      expect(JSON.parse(event.body)).not.toHaveProperty('spec');
    }
  });

  it('renders the server from them and answers each with 204', async () => {
    expect(await replay(live())).toEqual(live().map(() => 204));
    const deployment = await kube.apps.readNamespacedDeployment({ name: 'tools', namespace: namespace.name });
    expect(deployment.spec?.replicas).toBe(2);
    await kube.core.readNamespacedService({ name: 'tools', namespace: namespace.name });
    // KWOK makes the pods ready; a redelivery of the stream catches the status up.
    await redeliverUntil(replay, live(), phase, 'Running');
  });

  it('makes no write when they arrive again, twice each, or in reverse order', async () => {
    await expectNoWritesOnRedelivery([target], live());
  });
});
