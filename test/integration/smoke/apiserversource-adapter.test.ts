import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startAdapter, stopAdapter } from '../../cluster/adapter.ts';
import type { ManagedProcess } from '../../cluster/processes.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { EventReceiver, type ReceivedEvent } from '../support/event-receiver.ts';

// Proves Knative's real ApiServerSource adapter turns API server watch events into CloudEvents here.
describe("Knative's ApiServerSource adapter on the local control plane", () => {
  const namespace = useNamespace('smoke-adapter');
  const { core, kubeconfigPath, config } = clients();
  const receiver = new EventReceiver();
  let adapter: ManagedProcess;

  beforeAll(async () => {
    const sink = await receiver.listen();
    adapter = await startAdapter({
      name: 'smoke',
      kubeconfig: kubeconfigPath,
      sink,
      namespaces: [namespace.name],
      resources: [{ group: '', version: 'v1', resource: 'configmaps' }],
      logDir: path.join(inject('clusterRunDir'), 'logs'),
    });
  });

  afterAll(async () => {
    await stopAdapter(adapter);
    await receiver.close();
  });

  const isAddOf = (name: string) => (event: ReceivedEvent) =>
    event.type === 'dev.knative.apiserver.resource.add' && event.name === name;

  it('delivers dev.knative.apiserver.resource.add for a ConfigMap the test creates', async () => {
    // The adapter sends nothing for objects that exist before its watch starts, so first wait until a
    // probe object comes through: from then on, every change is delivered.
    let probes = 0;
    await vi.waitFor(
      async () => {
        adapter.assertRunning();
        probes += 1;
        await core.createNamespacedConfigMap({
          namespace: namespace.name,
          body: { metadata: { name: `probe-${probes}` } },
        });
        expect(receiver.events.some((e) => String(e.name).startsWith('probe-'))).toBe(true);
      },
      { timeout: 30_000, interval: 500 },
    );

    await core.createNamespacedConfigMap({
      namespace: namespace.name,
      body: { metadata: { name: 'greeting' }, data: { hello: 'world' } },
    });
    const event = await vi.waitFor(
      () => {
        const found = receiver.find(isAddOf('greeting'));
        expect(found).toBeDefined();
        return found as ReceivedEvent;
      },
      { timeout: 15_000, interval: 100 },
    );

    expect(event.specversion).toBe('1.0');
    expect(event.source).toBe(config.getCurrentCluster()?.server);
    expect(event.subject).toBe(`/apis/v1/namespaces/${namespace.name}/configmaps/greeting`);
    expect(event).toMatchObject({ kind: 'ConfigMap', apiversion: 'v1', namespace: namespace.name });
    expect(event.data).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'greeting', namespace: namespace.name },
      data: { hello: 'world' },
    });
    expect(receiver.rejected).toEqual([]);
  });
});
