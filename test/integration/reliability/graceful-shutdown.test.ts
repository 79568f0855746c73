import path from 'node:path';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { wiring } from '@mcpg-functions/server/wiring';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';
import { startFunction } from '../support/function-process.ts';

interface Server {
  metadata: { generation: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

const SERVERS = 12;

// SIGTERM in the middle of a burst: the function finishes what it started and exits 0. Whatever it had not
// started is left untouched (no child, no status) for the next start; nothing is half-applied without a
// status saying so.
describe('a function stopped with SIGTERM during a burst', () => {
  const namespace = useNamespace('sigterm');
  const kube = clients();
  let running: FunctionUnderTest;
  const base = () => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers`;
  const readServer = (name: string) =>
    kubeRequest<Server>(kube.config, { method: 'GET', path: `${base()}/${name}` });
  const server = (name: string) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: namespace.name },
    spec: { image: 'ghcr.io/example/tools:1.0.0' },
  });
  const exists = (promise: Promise<unknown>) =>
    promise.then(
      () => true,
      () => false,
    );

  /** Which of the server's children exist. */
  async function childrenOf(name: string): Promise<boolean[]> {
    const ns = namespace.name;
    return Promise.all([
      exists(kube.apps.readNamespacedDeployment({ name, namespace: ns })),
      exists(kube.core.readNamespacedService({ name, namespace: ns })),
      exists(
        kubeRequest(kube.config, {
          method: 'GET',
          path: `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${name}`,
        }),
      ),
    ]);
  }

  beforeAll(async () => {
    await installCrds(kube);
    running = await startWithEventSource({
      name: 'server',
      clients: kube,
      namespace: namespace.name,
      wiring,
      probe: {
        create: (name) => apply(kube, server(name)),
        reconciled: async (name) => (await readServer(name)).status?.observedGeneration !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: `${base()}/${name}` }),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await running.stop();
  });

  it('finishes the passes in flight, exits 0, and the next start completes the rest', async () => {
    const { fn } = running;
    const passesBefore = await fn.metric('mcpg_reconcile_total', { kind: 'MCPGServer' });
    const names = Array.from({ length: SERVERS }, (_, i) => `burst-${i}`);
    const burst = Promise.all(names.map((name) => apply(kube, server(name))));
    await vi.waitFor(
      async () => {
        expect(await fn.metric('mcpg_reconcile_total', { kind: 'MCPGServer' })).toBeGreaterThan(passesBefore);
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
      const status = (await readServer(name)).status;
      if (children.every((present) => !present)) {
        untouched += 1;
        continue;
      }
      // Children were written: all of them, or a status that says the pass did not finish.
      const ready = status?.conditions?.find((c) => c.type === 'Ready');
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
        expect((await readServer(name)).status?.observedGeneration).toBe(1);
        expect(await childrenOf(name)).toEqual([true, true, true]);
      }
    } finally {
      await next.stop();
    }
  });
});
