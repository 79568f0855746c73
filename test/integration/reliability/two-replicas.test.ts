import { describe, expect, it, vi } from 'vitest';
import { apply } from '../support/crds.ts';
import { useServerFunction } from '../support/server-function.ts';

const SERVERS = 6;
const CHANGES = 5;

// Two replicas of the server function take the same event stream (every event reaches both), and a burst of
// spec changes arrives: each pass may run twice at once in two processes. Optimistic concurrency and
// level-based passes must still leave every server at its last spec, with status describing that spec.
describe('two replicas on one event stream', () => {
  const bed = useServerFunction('replicas', { replicas: 2 });
  const { kube } = bed;
  const writes = async () => {
    let total = 0;
    for (const replica of bed.running.replicas)
      total += await replica.metric('mcpg_kube_api_requests', { verb: 'write' });
    return total;
  };
  const deploymentReplicas = async (name: string) =>
    (await kube.apps.readNamespacedDeployment({ name, namespace: bed.namespace })).spec?.replicas;

  it('converges every object to its last spec, and stays there', async () => {
    const names = Array.from({ length: SERVERS }, (_, i) => `burst-${i}`);
    const before = await writes();
    for (let replicas = 1; replicas <= CHANGES; replicas += 1) {
      await Promise.all(names.map((name) => apply(kube, bed.server(name, { replicas }))));
    }
    await vi.waitFor(
      async () => {
        for (const name of names) {
          const current = await bed.read(name);
          expect(current.status?.observedGeneration).toBe(current.metadata.generation);
          expect(await deploymentReplicas(name)).toBe(CHANGES);
        }
      },
      { timeout: 60_000, interval: 500 },
    );
    const converged = await writes();
    // Settled means settled: resyncs on both replicas find nothing to change and write nothing.
    await vi.waitFor(
      async () => {
        const start = await writes();
        for (const replica of bed.running.replicas) expect(await replica.ping()).toBe(204);
        expect(await writes()).toBe(start);
      },
      { timeout: 30_000, interval: 1_000 },
    );
    for (const name of names) {
      expect(await deploymentReplicas(name)).toBe(CHANGES);
      expect((await bed.read(name)).status?.observedGeneration).toBe(CHANGES);
    }
    console.info(
      `two replicas, ${SERVERS} servers x ${CHANGES} changes: ${converged - before} writes to converge, ${(await writes()) - converged} after`,
    );
  });
});
