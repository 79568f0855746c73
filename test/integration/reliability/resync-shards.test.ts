import path from 'node:path';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startFunction, type RunningFunction } from '../support/function-process.ts';
import { RoundRobin } from '../support/round-robin.ts';

const SERVERS = 14;
const PAGE = 4;

// A resync spread over replicas: the replica that takes the ping walks the list and sends each page, as a shard
// event, to the function's own address, which hands each to a replica in turn (as Knative's data path would).
// No event source runs, so only the resync renders the servers.
describe('a resync sent as shards to the function’s own address', () => {
  const namespace = useNamespace('shards');
  const kube = clients();
  const balancer = new RoundRobin();
  let replicas: RunningFunction[] = [];
  const total = async (metric: string, labels: Record<string, string> = {}) => {
    let sum = 0;
    for (const replica of replicas) sum += await replica.metric(metric, labels);
    return sum;
  };
  const writes = () => total('mcpg_kube_api_requests', { verb: 'write' });
  const completeResyncs = () => replicas[0]?.metric('mcpg_resyncs_total', { result: 'complete' }) ?? 0;
  const names = Array.from({ length: SERVERS }, (_, i) => `shard-${i}`);

  async function resyncToCompletion(): Promise<void> {
    const before = await completeResyncs();
    await vi.waitFor(
      async () => {
        expect(await replicas[0]?.ping()).toBe(204);
        expect(await completeResyncs()).toBeGreaterThan(before);
      },
      { timeout: 90_000, interval: 500 },
    );
  }

  beforeAll(async () => {
    await installCrds(kube);
    const sink = await balancer.listen();
    const env = {
      LOG_LEVEL: 'warn',
      MCPG_RESYNC_SHARD_SINK: sink,
      MCPG_RESYNC_PAGE_SIZE: String(PAGE),
      MCPG_RESYNC_SHARDS_IN_FLIGHT: '2',
    };
    const logDir = path.join(inject('clusterRunDir'), 'logs');
    for (let i = 0; i < 2; i += 1)
      replicas.push(await startFunction('server', { kubeconfig: kube.kubeconfigPath, logDir, env }));
    balancer.targets = replicas.map((r) => `${r.url}/`);
  }, 60_000);
  afterAll(async () => {
    await balancer.close();
    for (const replica of replicas) await replica.stop();
    replicas = [];
  });

  it('renders every server, with both replicas taking pages, and a resync after that writes nothing', async () => {
    await Promise.all(
      names.map((name) =>
        apply(kube, {
          apiVersion: 'mcpg.dev/v1alpha2',
          kind: 'MCPGServer',
          metadata: { name, namespace: namespace.name },
          spec: { image: 'ghcr.io/example/tools:1.0.0', replicas: 0, networkPolicy: { enabled: false } },
        }),
      ),
    );
    await resyncToCompletion();
    for (const name of names) {
      const server = await kubeRequest<{
        metadata: { generation: number };
        status?: { observedGeneration?: number };
      }>(kube.config, {
        method: 'GET',
        path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/${name}`,
      });
      expect(server.status?.observedGeneration, name).toBe(server.metadata.generation);
      await kube.apps.readNamespacedDeployment({ name, namespace: namespace.name });
      await kube.core.readNamespacedService({ name, namespace: namespace.name });
    }
    for (const replica of replicas)
      expect(await replica.metric('mcpg_resync_shards_total', { result: 'complete' })).toBeGreaterThan(0);
    // Settled (the Deployments' status has reached the servers' status): a resync changes nothing.
    await vi.waitFor(
      async () => {
        const start = await writes();
        await resyncToCompletion();
        expect(await writes()).toBe(start);
      },
      { timeout: 60_000, interval: 1_000 },
    );
  });

  it('sends a shard answered 503 again, and still completes the resync', async () => {
    balancer.refused = 0;
    balancer.refuse = 2;
    await resyncToCompletion();
    expect(balancer.refused).toBe(2);
  });

  it('refuses a shard of a kind the function does not reconcile, or without a page size, with 400, and leaves one past its deadline alone', async () => {
    const shard = (data: unknown) =>
      fetch(`${replicas[0]?.url}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': 'shard-1',
          'ce-type': 'dev.mcpg.resync.shard',
          'ce-source': '/test',
        },
        body: JSON.stringify(data),
      }).then((r) => r.status);
    expect(await shard({ kind: 'MCPGGateway', limit: 10 })).toBe(400);
    expect(await shard({ kind: 'MCPGServer' })).toBe(400);
    expect(await shard({ kind: 'MCPGServer', limit: 10, continue: 'x'.repeat(5000) })).toBe(400);
    expect(await shard({ kind: 'MCPGServer', limit: 10 })).toBe(204);
    // One sent by a resync whose deadline has passed starts no pass: the next ping's resync covers its page.
    const before = await total('mcpg_reconcile_total');
    expect(
      await shard({ kind: 'MCPGServer', limit: 10, until: new Date(Date.now() - 1_000).toISOString() }),
    ).toBe(503);
    expect(await total('mcpg_reconcile_total')).toBe(before);
  });
});
