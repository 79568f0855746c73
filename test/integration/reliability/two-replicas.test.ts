import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { wiring } from '@mcpg-functions/server/wiring';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';

interface Server {
  metadata: { generation: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

const SERVERS = 6;
const CHANGES = 5;

// Two replicas of the server function take the same event stream (every event reaches both), and a burst of
// spec changes arrives: each pass may run twice at once in two processes. Optimistic concurrency and
// level-based passes must still leave every server at its last spec, with status describing that spec.
describe('two replicas on one event stream', () => {
  const namespace = useNamespace('replicas');
  const kube = clients();
  let running: FunctionUnderTest;
  const base = () => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers`;
  const readServer = (name: string) =>
    kubeRequest<Server>(kube.config, { method: 'GET', path: `${base()}/${name}` });
  const server = (name: string, replicas: number) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: namespace.name },
    spec: { image: 'ghcr.io/example/tools:1.0.0', replicas },
  });
  const writes = async () => {
    let total = 0;
    for (const replica of running.replicas)
      total += await replica.metric('mcpg_kube_api_requests', { verb: 'write' });
    return total;
  };

  beforeAll(async () => {
    await installCrds(kube);
    running = await startWithEventSource({
      name: 'server',
      clients: kube,
      namespace: namespace.name,
      wiring,
      replicas: 2,
      probe: {
        create: (name) => apply(kube, server(name, 1)),
        reconciled: async (name) => (await readServer(name)).status?.observedGeneration !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: `${base()}/${name}` }),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await running.stop();
  });

  it('converges every object to its last spec, and stays there', async () => {
    const names = Array.from({ length: SERVERS }, (_, i) => `burst-${i}`);
    const before = await writes();
    for (let replicas = 1; replicas <= CHANGES; replicas += 1) {
      await Promise.all(names.map((name) => apply(kube, server(name, replicas))));
    }
    await vi.waitFor(
      async () => {
        for (const name of names) {
          const current = await readServer(name);
          expect(current.status?.observedGeneration).toBe(current.metadata.generation);
          const deployment = await kube.apps.readNamespacedDeployment({ name, namespace: namespace.name });
          expect(deployment.spec?.replicas).toBe(CHANGES);
        }
      },
      { timeout: 60_000, interval: 500 },
    );
    const converged = await writes();
    // Settled means settled: resyncs on both replicas find nothing to change and write nothing.
    await vi.waitFor(
      async () => {
        const start = await writes();
        for (const replica of running.replicas) expect(await replica.ping()).toBe(204);
        expect(await writes()).toBe(start);
      },
      { timeout: 30_000, interval: 1_000 },
    );
    for (const name of names) {
      const deployment = await kube.apps.readNamespacedDeployment({ name, namespace: namespace.name });
      expect(deployment.spec?.replicas).toBe(CHANGES);
      expect((await readServer(name)).status?.observedGeneration).toBe(CHANGES);
    }
    console.info(
      `two replicas, ${SERVERS} servers x ${CHANGES} changes: ${converged - before} writes to converge, ${(await writes()) - converged} after`,
    );
  });
});
