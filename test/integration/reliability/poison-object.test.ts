import { setTimeout as sleep } from 'node:timers/promises';
import { Watch } from '@kubernetes/client-node';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { apply } from '../support/crds.ts';
import { useServerFunction } from '../support/server-function.ts';

const LEFT_FOR_MS = 120_000;
const PING_EVERY_MS = 5_000;

// A server whose Service name is taken by a Service nobody in MCPG owns can never succeed until its spec (or
// that Service) changes. Left alone for two minutes, fed by the real ApiServerSource adapter and a resync ping
// every five seconds, it must cost a handful of passes and writes, not one per event it causes.
describe('a poison object', () => {
  const bed = useServerFunction('poison');
  const { kube } = bed;

  // The function's resync lists every MCPGServer in the cluster, so its own counters include other test files'
  // servers; what is the poison object's is counted on the object itself.
  let changes = 0;
  let watching: AbortController | undefined;
  afterAll(() => watching?.abort());

  /** Its changes as the API server reports them (each a write of its status or metadata), from now on. */
  async function watchPoison(): Promise<void> {
    const path = `/apis/mcpg.dev/v1alpha2/namespaces/${bed.namespace}/mcpgservers`;
    watching = await new Watch(kube.config).watch(
      path,
      { fieldSelector: 'metadata.name=poison' },
      (type) => {
        if (type === 'MODIFIED') changes += 1;
      },
      () => undefined,
    );
  }

  /** Kubernetes Events written about it. */
  async function eventsAboutPoison(): Promise<number> {
    const events = await kubeRequest<{ items: { regarding: { kind: string; name: string } }[] }>(
      kube.config,
      {
        method: 'GET',
        path: `/apis/events.k8s.io/v1/namespaces/${bed.namespace}/events`,
      },
    );
    return events.items.filter((e) => e.regarding.kind === 'MCPGServer' && e.regarding.name === 'poison')
      .length;
  }

  /**
   * Passes over the poison object and writes about it since the start. Every pass that runs over it fails (its
   * Service name stays taken), so the function's failed passes bound its passes from above (another file's
   * server failing meanwhile counts too). `held` (events answered without a pass) is the function's, for the
   * report.
   */
  async function spent() {
    const { fn } = bed.running;
    const count = (outcome: string) => fn.metric('mcpg_reconcile_total', { kind: 'MCPGServer', outcome });
    return {
      passes: await count('failed'),
      held: await count('held'),
      writes: changes + (await eventsAboutPoison()),
    };
  }

  it(
    'waits for a spec change with a bounded, slowly growing count of passes and writes',
    async () => {
      await kube.core.createNamespacedService({
        namespace: bed.namespace,
        body: {
          metadata: { name: 'poison' },
          spec: { ports: [{ port: 80 }], selector: { app: 'someone-else' } },
        },
      });
      await watchPoison();
      const before = await spent();
      await apply(kube, bed.server('poison', { replicas: 1 }));
      const failed = await vi.waitFor(
        async () => {
          const ready = (await bed.read('poison')).status?.conditions?.find((c) => c.type === 'Ready');
          expect(ready).toMatchObject({ status: 'False', reason: 'ChildNotOwned' });
          return ready;
        },
        { timeout: 30_000, interval: 250 },
      );
      expect(failed?.message).toContain(
        `Service ${bed.namespace}/poison already exists and belongs to no MCPG object`,
      );

      let halfway = before;
      for (let elapsed = 0; elapsed < LEFT_FOR_MS; elapsed += PING_EVERY_MS) {
        expect(await bed.running.fn.ping()).toBe(204);
        await sleep(PING_EVERY_MS);
        if (elapsed === LEFT_FOR_MS / 2) halfway = await spent();
      }
      const after = await spent();
      const report = {
        passes: after.passes - before.passes,
        held: after.held - before.held,
        writes: after.writes - before.writes,
        passesInSecondMinute: after.passes - halfway.passes,
        writesInSecondMinute: after.writes - halfway.writes,
        failureCount: (await bed.read('poison')).status?.failureCount,
      };
      console.info(`poison object over ${LEFT_FOR_MS / 1000} s: ${JSON.stringify(report)}`);
      // One pass fails and records it (a status write and an Event); everything after waits: the update event
      // of its own status write is held, and every resync skips it. One more pass is allowed when that write met
      // another writer's change: then its event is not taken for our own and runs a pass, which writes nothing.
      expect(report.passes).toBeLessThanOrEqual(4);
      expect(report.writes).toBeLessThanOrEqual(6);
      expect(report.failureCount).toBeLessThanOrEqual(2);
      expect(report.passesInSecondMinute).toBe(0);
      expect(report.writesInSecondMinute).toBe(0);
      // Nothing of the poison object was applied, not even the Deployment it would have written first.
      await expect(
        kube.apps.readNamespacedDeployment({ name: 'poison', namespace: bed.namespace }),
      ).rejects.toThrow();

      // The way out: remove the other Service and change the spec; the next pass succeeds.
      await kube.core.deleteNamespacedService({ name: 'poison', namespace: bed.namespace });
      await apply(kube, bed.server('poison', { replicas: 2 }));
      await vi.waitFor(
        async () => {
          const status = (await bed.read('poison')).status;
          expect(status?.failureCount).toBeUndefined();
          expect(status?.conditions?.find((c) => c.type === 'Ready')?.reason).not.toBe('ChildNotOwned');
        },
        { timeout: 30_000, interval: 250 },
      );
      await kube.core.readNamespacedService({ name: 'poison', namespace: bed.namespace });
    },
    LEFT_FOR_MS + 90_000,
  );
});
