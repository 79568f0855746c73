import { instanceReconciler } from '@mcpg-functions/instance/reconcile';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEvents, type RecordedEvent } from '../../fixtures/events.ts';
import { instanceObjects } from '../../fixtures/recordings/instance.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { expectNoWritesOnRedelivery, redeliverUntil, replayTarget, whileAlive } from '../support/replay.ts';

// CloudEvents recorded from Knative's real adapter (test/fixtures/recordings/instance.ts) replayed into the
// instance function in-process against the real API server: the template's events reach the instance made from
// it, redeliveries and reordering change nothing, events for a deleted instance recreate nothing.
describe('replaying recorded ApiServerSource events into the instance function', () => {
  const namespace = useNamespace('instance-replay');
  const kube = clients();
  const target = replayTarget(
    instanceReconciler({ bridgeImage: 'bridge:1', maxPerTemplate: 100 }),
    'mcpg-functions/instance',
  );
  const { client, replay } = target;
  // The recording ends with the template at 1.1.0.
  const objects = () => instanceObjects(namespace.name, 'ghcr.io/example/tools:1.1.0');
  const instancePath = () => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpginstances/alice`;
  const phase = () =>
    kubeRequest<{ status?: { phase?: string } }>(kube.config, { method: 'GET', path: instancePath() }).then(
      (i) => i.status?.phase,
    );
  let events: RecordedEvent[];
  const live = () => whileAlive(events, 'MCPGInstance');

  beforeAll(async () => {
    await installCrds(kube);
    events = loadEvents('instance', namespace.name);
    await apply(kube, objects().template);
    await apply(kube, objects().instance);
  });

  it('runs the instance from the recorded stream, from the template as it is now', async () => {
    expect(live().some((e) => e.headers['ce-kind'] === 'MCPGServer')).toBe(true);
    expect(await replay(live())).toEqual(live().map(() => 204));
    const pod = await kube.core.readNamespacedPod({ name: 'mcpgi-alice', namespace: namespace.name });
    expect(pod.spec?.containers[0]?.image).toBe('ghcr.io/example/tools:1.1.0');
    await redeliverUntil(replay, live(), phase, 'Running');
  });

  it('makes no write when the same events arrive again, twice each, or in reverse order', async () => {
    await expectNoWritesOnRedelivery([target], live());
  });

  it('treats events for a deleted instance as done, and recreates nothing', async () => {
    await kubeRequest(kube.config, { method: 'DELETE', path: instancePath() });
    await vi.waitFor(async () => {
      await expect(kubeRequest(kube.config, { method: 'GET', path: instancePath() })).rejects.toThrow(/404/);
    });
    const before = client.counts.writes;
    expect((await replay(events)).every((s) => s === 204)).toBe(true);
    expect(client.counts.writes).toBe(before);
  });
});
