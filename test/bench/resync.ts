/**
 * The resync at scale, on a real local control plane: N MCPGServers in one namespace (no event source), then
 *   - a full render: pings until a resync completes, each within its deadline, rendering every server's
 *     Deployment and Service from nothing;
 *   - a catch-up resync: with no event source, the servers' status follows their Deployments' only here;
 *   - a quiet resync: nothing changed, so nothing may be written.
 * For each: duration, the function's peak resident memory, API requests (reads, writes) and the pings it took.
 *
 *   node test/bench/resync.ts [N, default 10000] [deadline seconds, default 100] [concurrency, default 4]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pool, runOnControlPlane } from '../cluster/script.ts';
import { residentMiB } from '../cluster/processes.ts';
import { applyWith } from '../integration/support/crds.ts';
import type { RunningFunction } from '../integration/support/function-process.ts';
import { report, type Row } from './report.ts';

const count = Number(process.argv[2] ?? 10_000);
const deadlineSeconds = Number(process.argv[3] ?? 100);
const concurrency = Number(process.argv[4] ?? 4);
const CREATE_CONCURRENCY = 16;

/** Resident memory of the process, sampled every 100 ms while `work` runs; the peak in MiB. */
async function peakMemory<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = residentMiB(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentMiB(pid));
  }, 100);
  try {
    const result = await work();
    return { result, peakMiB: Math.round(Math.max(peak, residentMiB(pid))) };
  } finally {
    clearInterval(sampler);
  }
}

interface Counts {
  reads: number;
  writes: number;
  complete: number;
  incomplete: number;
}

async function counts(fn: RunningFunction): Promise<Counts> {
  return {
    reads: await fn.metric('mcpg_kube_api_requests', { verb: 'read' }),
    writes: await fn.metric('mcpg_kube_api_requests', { verb: 'write' }),
    complete: await fn.metric('mcpg_resyncs_total', { result: 'complete' }),
    incomplete: await fn.metric('mcpg_resyncs_total', { result: 'incomplete' }),
  };
}

/** Pings until one resync completes; what it cost. */
async function resyncToCompletion(fn: RunningFunction, label: string): Promise<Row> {
  const before = await counts(fn);
  const started = performance.now();
  const { result: pings, peakMiB } = await peakMemory(fn.process.record.pid, async () => {
    for (let sent = 1; ; sent += 1) {
      const status = await fn.ping();
      if (status !== 204) throw new Error(`${label}: the ping was answered ${status}`);
      if ((await counts(fn)).complete > before.complete) return sent;
    }
  });
  const after = await counts(fn);
  return {
    measure: label,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    pings,
    'peak RSS MiB': peakMiB,
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
  };
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
  const fn = await startFunction('server', {
    env: {
      MCPG_RESYNC_DEADLINE_SECONDS: String(deadlineSeconds),
      MCPG_RESYNC_CONCURRENCY: String(concurrency),
    },
  });
  await sleep(1_000);
  const idleMiB = Math.round(residentMiB(fn.process.record.pid));
  const rows: Row[] = [
    await resyncToCompletion(fn, `full render of ${count} servers`),
    await resyncToCompletion(fn, `catch-up resync of ${count} servers`),
    await resyncToCompletion(fn, `quiet resync of ${count} servers`),
  ];
  rows.push({ measure: 'function idle before the first resync', 'peak RSS MiB': idleMiB });
  await report('resync', rows, {
    count,
    deadlineSeconds,
    concurrency,
    createSeconds: Math.round(createSeconds),
  });
});
