import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { wiring } from '@mcpg-functions/instance/wiring';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';

interface Instance {
  status?: {
    phase?: string;
    podName?: string;
    serviceURL?: string;
    startedAt?: string;
    expiresAt?: string;
    lastUsedAt?: string;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

// The instance function on the real control plane: per-subject pods from a server template, made Ready by
// KWOK, collected when idle, and refused beyond the per-template cap.
describe('the instance function, driven by the real event source', () => {
  const namespace = useNamespace('instance-fn');
  const kube = clients();
  let running: FunctionUnderTest;
  const base = () => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpginstances`;
  const read = (name: string) =>
    kubeRequest<Instance>(kube.config, { method: 'GET', path: `${base()}/${name}` });
  const exists = (name: string) =>
    read(name).then(
      () => true,
      () => false,
    );

  function instance(name: string, spec: Record<string, unknown> = {}) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGInstance',
      metadata: { name, namespace: namespace.name },
      spec: { serverTemplateRef: { name: 'tools' }, subjectKey: name, ...spec },
    };
  }

  beforeAll(async () => {
    await installCrds(kube);
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'tools', namespace: namespace.name },
      spec: { image: 'ghcr.io/example/tools:1.0.0', port: 9000, replicas: 0 },
    });
    running = await startWithEventSource({
      name: 'instance',
      clients: kube,
      namespace: namespace.name,
      // Small enough to reach in a test: the probes plus three instances.
      env: { MCPG_MAX_INSTANCES_PER_TEMPLATE: '2' },
      wiring,
      probe: {
        create: (name) =>
          apply(kube, instance(name, { serverTemplateRef: undefined, image: 'ghcr.io/example/probe:1' })),
        reconciled: async (name) => (await read(name)).status?.phase !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: `${base()}/${name}` }),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await running.stop();
  });

  it('runs a pod and a service per subject and reports Running with its URL', async () => {
    await apply(kube, instance('alice', { secretName: 'alice-token' }));
    const status = await vi.waitFor(
      async () => {
        const current = (await read('alice')).status;
        expect(current?.phase).toBe('Running');
        return current;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(status).toMatchObject({
      podName: 'mcpgi-alice',
      serviceURL: `http://mcpgi-alice.${namespace.name}.svc.cluster.local:9000/mcp`,
    });
    expect(status?.startedAt).toBeDefined();
    // The default maxLifetime (24h) from the start, as a timestamp alerts can compare with time().
    expect(Date.parse(status?.expiresAt ?? '') - Date.parse(status?.startedAt ?? '')).toBe(24 * 3_600_000);
    const pod = await kube.core.readNamespacedPod({ name: 'mcpgi-alice', namespace: namespace.name });
    expect(pod.spec?.containers[0]?.envFrom).toEqual([{ secretRef: { name: 'alice-token' } }]);
    expect(pod.spec?.containers[0]?.image).toBe('ghcr.io/example/tools:1.0.0');
  });

  it('refuses an instance beyond the per-template cap with a condition saying why', async () => {
    await apply(kube, instance('bob'));
    await vi.waitFor(
      async () => {
        expect((await read('bob')).status?.podName).toBe('mcpgi-bob');
      },
      {
        timeout: 30_000,
        interval: 250,
      },
    );
    await apply(kube, instance('carol'));
    const ready = await vi.waitFor(
      async () => {
        const condition = (await read('carol')).status?.conditions?.find((c) => c.type === 'Ready');
        expect(condition?.reason).toBe('CapacityReached');
        return condition;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(ready?.message).toContain('MCPGServer tools already has 2 live instances, the most allowed');
    await expect(
      kube.core.readNamespacedPod({ name: 'mcpgi-carol', namespace: namespace.name }),
    ).rejects.toThrow();
  });

  it('collects an idle instance on resync and keeps one the gateway reports as used', async () => {
    const inline = { serverTemplateRef: undefined, image: 'ghcr.io/example/tools:1.0.0', idleTTL: '2s' };
    // What a gateway does while it routes calls to an instance: it reports the use, again and again. Reporting
    // from the start keeps erin from ever being idle, however long the pods take to start on a busy machine.
    const markUsed = () =>
      kubeRequest(kube.config, {
        method: 'PATCH',
        path: `${base()}/erin/status`,
        body: { status: { lastUsedAt: new Date().toISOString() } },
        contentType: 'application/merge-patch+json',
      }).catch(() => undefined);
    await apply(kube, instance('dave', inline));
    await apply(kube, instance('erin', inline));
    await markUsed();
    const inUse = setInterval(() => void markUsed(), 500);
    try {
      for (const name of ['dave', 'erin']) {
        await vi.waitFor(
          async () => {
            expect((await read(name)).status?.phase).toBe('Running');
          },
          { timeout: 30_000, interval: 250 },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(await running.fn.ping()).toBe(204);
      await vi.waitFor(
        async () => {
          expect(await exists('dave')).toBe(false);
        },
        { timeout: 15_000, interval: 250 },
      );
      expect(await exists('erin')).toBe(true);
      expect((await read('erin')).status?.lastUsedAt).toBeDefined();
    } finally {
      clearInterval(inUse);
    }
  });
});
