import path from 'node:path';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { describe, expect, inject, it, vi } from 'vitest';
import { apply } from '../support/crds.ts';
import { startFunction } from '../support/function-process.ts';
import { useServerFunction } from '../support/server-function.ts';

const SERVERS = 12;

// SIGTERM in the middle of a burst: the function finishes what it started and exits 0. Whatever it had not
// started is left untouched (no child, no status) for the next start; nothing is half-applied without a
// status saying so.
describe('a function stopped with SIGTERM during a burst', () => {
  const bed = useServerFunction('sigterm');
  const { kube } = bed;
  const exists = (promise: Promise<unknown>) =>
    promise.then(
      () => true,
      () => false,
    );

  /** Which of the server's children exist. */
  async function childrenOf(name: string): Promise<boolean[]> {
    const namespace = bed.namespace;
    return Promise.all([
      exists(kube.apps.readNamespacedDeployment({ name, namespace })),
      exists(kube.core.readNamespacedService({ name, namespace })),
      exists(
        kubeRequest(kube.config, {
          method: 'GET',
          path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/${name}`,
        }),
      ),
    ]);
  }

  it('finishes the passes in flight, exits 0, and the next start completes the rest', async () => {
    const { fn } = bed.running;
    const rendered = () => fn.metric('mcpg_reconcile_total', { kind: 'MCPGServer', outcome: 'updated' });
    const renderedBefore = await rendered();
    const names = Array.from({ length: SERVERS }, (_, i) => `burst-${i}`);
    const burst = Promise.all(names.map((name) => apply(kube, bed.server(name))));
    // The first server of the burst is done: the others are in flight or queued.
    await vi.waitFor(
      async () => {
        expect(await rendered()).toBeGreaterThan(renderedBefore);
      },
      { timeout: 30_000, interval: 20 },
    );
    process.kill(fn.process.record.pid, 'SIGTERM');
    await burst;
    await vi.waitFor(
      () => {
        expect(fn.process.ended).toBeDefined();
      },
      { timeout: 40_000, interval: 100 },
    );
    expect(fn.process.ended).toEqual({ code: 0, signal: null });

    let untouched = 0;
    for (const name of names) {
      const children = await childrenOf(name);
      if (children.every((present) => !present)) {
        untouched += 1;
        continue;
      }
      // Children were written: all of them, or a status that does not claim the server is ready.
      const ready = (await bed.read(name)).status?.conditions?.find((c) => c.type === 'Ready');
      if (!children.every(Boolean)) expect(ready?.status).not.toBe('True');
    }
    console.info(
      `SIGTERM during a burst of ${SERVERS}: ${SERVERS - untouched} started, ${untouched} untouched`,
    );

    const next = await startFunction('server', {
      kubeconfig: kube.kubeconfigPath,
      logDir: path.join(inject('clusterRunDir'), 'logs'),
    });
    try {
      expect(await next.ping()).toBe(204);
      for (const name of names) {
        expect((await bed.read(name)).status?.observedGeneration).toBe(1);
        expect(await childrenOf(name)).toEqual([true, true, true]);
      }
    } finally {
      await next.stop();
    }
  });
});
