import { setTimeout as sleep } from 'node:timers/promises';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { wiring } from '@mcpg-functions/server/wiring';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';

interface Server {
  metadata: { generation: number };
  status?: {
    phase?: string;
    failureCount?: number;
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

const LEFT_FOR_MS = 120_000;
const PING_EVERY_MS = 5_000;

// A server whose Service name is taken by a Service nobody in MCPG owns can never succeed until its spec (or
// that Service) changes. Left alone for two minutes, fed by the real ApiServerSource adapter and a resync ping
// every five seconds, it must cost a handful of passes and writes, not one per event it causes.
describe('a poison object', () => {
  const namespace = useNamespace('poison');
  const kube = clients();
  let running: FunctionUnderTest;
  const serverPath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/${name}`;
  const readServer = (name: string) =>
    kubeRequest<Server>(kube.config, { method: 'GET', path: serverPath(name) });
  const server = (name: string, replicas = 1) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: namespace.name },
    spec: { image: 'ghcr.io/example/tools:1.0.0', replicas },
  });

  beforeAll(async () => {
    await installCrds(kube);
    running = await startWithEventSource({
      name: 'server',
      clients: kube,
      namespace: namespace.name,
      wiring,
      probe: {
        create: (name) => apply(kube, server(name)),
        reconciled: async (name) => (await readServer(name)).status?.phase !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: serverPath(name) }),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await running.stop();
  });

  /** Passes that ran (every outcome but `held`) and API writes, since the function started. */
  async function spent() {
    const { fn } = running;
    const all = await fn.metric('mcpg_reconcile_total', { kind: 'MCPGServer' });
    const held = await fn.metric('mcpg_reconcile_total', { kind: 'MCPGServer', outcome: 'held' });
    return { passes: all - held, held, writes: await fn.metric('mcpg_kube_api_requests', { verb: 'write' }) };
  }

  it(
    'waits for a spec change with a bounded, slowly growing count of passes and writes',
    async () => {
      await kube.core.createNamespacedService({
        namespace: namespace.name,
        body: {
          metadata: { name: 'poison' },
          spec: { ports: [{ port: 80 }], selector: { app: 'someone-else' } },
        },
      });
      const before = await spent();
      await apply(kube, server('poison'));
      const failed = await vi.waitFor(
        async () => {
          const ready = (await readServer('poison')).status?.conditions?.find((c) => c.type === 'Ready');
          expect(ready).toMatchObject({ status: 'False', reason: 'ChildNotOwned' });
          return ready;
        },
        { timeout: 30_000, interval: 250 },
      );
      expect(failed?.message).toContain('Service');
      expect(failed?.message).toContain('poison');

      const samples = [];
      for (let elapsed = 0; elapsed < LEFT_FOR_MS; elapsed += PING_EVERY_MS) {
        expect(await running.fn.ping()).toBe(204);
        await sleep(PING_EVERY_MS);
        if (elapsed === LEFT_FOR_MS / 2) samples.push(await spent());
      }
      const after = await spent();
      const firstHalf = samples[0] ?? after;
      const report = {
        passes: after.passes - before.passes,
        held: after.held - before.held,
        writes: after.writes - before.writes,
        passesInSecondMinute: after.passes - firstHalf.passes,
        writesInSecondMinute: after.writes - firstHalf.writes,
        failureCount: (await readServer('poison')).status?.failureCount,
      };
      console.info(`poison object over ${LEFT_FOR_MS / 1000} s: ${JSON.stringify(report)}`);
      // One pass fails, records it (one status write, one Event), and everything after it waits: the echo of
      // its own status write is held, and every resync skips it.
      expect(report.passes).toBeLessThanOrEqual(3);
      expect(report.writes).toBeLessThanOrEqual(6);
      expect(report.failureCount).toBeLessThanOrEqual(2);
      expect(report.passesInSecondMinute).toBe(0);
      expect(report.writesInSecondMinute).toBe(0);
      // Nothing of the poison object was applied: the Deployment would have been its first child.
      await expect(
        kube.apps.readNamespacedDeployment({ name: 'poison', namespace: namespace.name }),
      ).rejects.toThrow();

      // The way out: remove the other Service and change the spec; the next pass succeeds.
      await kube.core.deleteNamespacedService({ name: 'poison', namespace: namespace.name });
      await apply(kube, server('poison', 2));
      await vi.waitFor(
        async () => {
          const status = (await readServer('poison')).status;
          expect(status?.failureCount).toBeUndefined();
          expect(status?.conditions?.find((c) => c.type === 'Ready')?.reason).not.toBe('ChildNotOwned');
        },
        { timeout: 30_000, interval: 250 },
      );
      await kube.core.readNamespacedService({ name: 'poison', namespace: namespace.name });
    },
    LEFT_FOR_MS + 90_000,
  );
});
