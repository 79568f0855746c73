/**
 * The resync at scale, on a real local control plane: N MCPGServers in one namespace (no event source), served
 * by R replicas of the server function behind one address that hands each request to the next replica (as
 * Knative's data path does), which is also where each resync sends its pages as shards. Then
 *   - a full render: pings until a resync completes, each within its deadline, rendering every server's
 *     Deployment and Service from nothing;
 *   - catch-up resyncs: with no event source, the servers' status follows their Deployments' only here, so
 *     resyncs run until one writes nothing (the controller-manager may still be rolling Deployments out);
 *   - a quiet resync: nothing changed, so nothing may be written.
 * For each: duration, the replicas' peak resident memory (the largest), API requests (reads, writes, all
 * replicas) and the pings it took.
 *
 *   node test/bench/resync.ts [N, default 10000] [deadline seconds, default 100] [concurrency, default 4]
 *                             [replicas, default 2]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pool, runOnControlPlane } from '../cluster/script.ts';
import { residentMiB } from '../cluster/processes.ts';
import { applyWith } from '../integration/support/crds.ts';
import type { RunningFunction } from '../integration/support/function-process.ts';
import { RoundRobin } from '../integration/support/round-robin.ts';
import { report, type Row } from './report.ts';

const count = Number(process.argv[2] ?? 10_000);
const deadlineSeconds = Number(process.argv[3] ?? 100);
const concurrency = Number(process.argv[4] ?? 4);
const replicaCount = Number(process.argv[5] ?? 2);
const CREATE_CONCURRENCY = 16;
const CATCH_UP_LIMIT = 5;

/** The largest resident memory among the processes, sampled every 100 ms while `work` runs; in MiB. */
async function peakMemory<T>(
  pids: number[],
  work: () => Promise<T>,
): Promise<{ result: T; peakMiB: number }> {
  const largest = () => Math.max(...pids.map(residentMiB));
  let peak = largest();
  const sampler = setInterval(() => {
    peak = Math.max(peak, largest());
  }, 100);
  try {
    const result = await work();
    return { result, peakMiB: Math.round(Math.max(peak, largest())) };
  } finally {
    clearInterval(sampler);
  }
}

interface Counts {
  reads: number;
  writes: number;
  complete: number;
}

async function counts(replicas: RunningFunction[]): Promise<Counts> {
  const sum = async (metric: string, labels: Record<string, string>) =>
    (await Promise.all(replicas.map((r) => r.metric(metric, labels)))).reduce((a, b) => a + b, 0);
  return {
    reads: await sum('mcpg_kube_api_requests', { verb: 'read' }),
    writes: await sum('mcpg_kube_api_requests', { verb: 'write' }),
    complete: await sum('mcpg_resyncs_total', { result: 'complete' }),
  };
}

/** Pings (the first replica, as a PingSource would one of them) until one resync completes; what it cost. */
async function resyncToCompletion(replicas: RunningFunction[], label: string): Promise<Row> {
  const [first] = replicas as [RunningFunction];
  const before = await counts(replicas);
  const started = performance.now();
  const pids = replicas.map((r) => r.process.record.pid);
  const { result: pings, peakMiB } = await peakMemory(pids, async () => {
    for (let sent = 1; ; sent += 1) {
      const status = await first.ping();
      if (status !== 204) throw new Error(`${label}: the ping was answered ${status}`);
      if ((await counts(replicas)).complete > before.complete) return sent;
    }
  });
  const after = await counts(replicas);
  return {
    measure: label,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    pings,
    'peak RSS MiB': peakMiB,
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
  };
}

/** Resyncs until one writes nothing (at most CATCH_UP_LIMIT); their costs added up. */
async function catchUp(replicas: RunningFunction[], label: string): Promise<Row> {
  const total: Row = {
    measure: label,
    seconds: 0,
    pings: 0,
    'peak RSS MiB': 0,
    reads: 0,
    writes: 0,
    resyncs: 0,
  };
  for (let round = 1; round <= CATCH_UP_LIMIT; round += 1) {
    const one = await resyncToCompletion(replicas, label);
    for (const field of ['seconds', 'pings', 'reads', 'writes'] as const)
      total[field] = Number(total[field]) + Number(one[field]);
    total['peak RSS MiB'] = Math.max(Number(total['peak RSS MiB']), Number(one['peak RSS MiB']));
    total.resyncs = round;
    if (one.writes === 0) break;
  }
  total.seconds = Number(Number(total.seconds).toFixed(1));
  return total;
}

await runOnControlPlane('bench-resync', async ({ kube, createNamespace, startFunction }) => {
  await createNamespace('fleet');
  const t0 = performance.now();
  await pool(
    Array.from({ length: count }, (_, i) => `s${i}`),
    CREATE_CONCURRENCY,
    (name) =>
      applyWith(kube, {
        apiVersion: 'mcpg.dev/v1alpha2',
        kind: 'MCPGServer',
        metadata: { name, namespace: 'fleet' },
        // No pods: the figures are the function's, not the scheduler's and KWOK's work on N pods.
        spec: { image: 'ghcr.io/example/tools:1', replicas: 0, networkPolicy: { enabled: false } },
      }),
  );
  const createSeconds = (performance.now() - t0) / 1000;
  const balancer = new RoundRobin();
  const sink = await balancer.listen();
  const replicas: RunningFunction[] = [];
  for (let i = 0; i < replicaCount; i += 1)
    replicas.push(
      await startFunction('server', {
        env: {
          MCPG_RESYNC_DEADLINE_SECONDS: String(deadlineSeconds),
          MCPG_RESYNC_CONCURRENCY: String(concurrency),
          MCPG_RESYNC_SHARD_SINK: sink,
        },
      }),
    );
  balancer.targets = replicas.map((r) => `${r.url}/`);
  await sleep(1_000);
  const idleMiB = Math.round(Math.max(...replicas.map((r) => residentMiB(r.process.record.pid))));
  const rows: Row[] = [
    await resyncToCompletion(replicas, `full render of ${count} servers`),
    await catchUp(replicas, `catch-up resyncs of ${count} servers`),
    await resyncToCompletion(replicas, `quiet resync of ${count} servers`),
  ];
  await balancer.close();
  rows.push({ measure: 'one replica idle before the first resync', 'peak RSS MiB': idleMiB });
  await report('resync', rows, {
    count,
    deadlineSeconds,
    concurrency,
    replicas: replicaCount,
    createSeconds: Math.round(createSeconds),
  });
});
