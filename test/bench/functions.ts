/**
 * The reconcile functions on a real local control plane, as deployed (the bundled dist/function.mjs, run with the
 * images' process settings, FUNCTION_PROCESS_ENV, and a JSON kubeconfig: in a cluster no function loads a YAML
 * parser, and a JSON kubeconfig is read without one):
 *   - cold start: process spawn to the first answered event (a resync ping), and resident memory when idle;
 *   - every other reconcile function's resident memory when idle after its start, and the admission webhook's once
 *     its caches are in sync;
 *   - N MCPGServers to Running through Knative's ApiServerSource adapter, next to the same client creating the
 *     Deployments and Services itself and waiting for them to be Available (the API server's floor);
 *   - a no-op resync of those N servers: its duration and the API writes it made (must be 0).
 *
 *   node test/bench/functions.ts [N, default 1000] [cold starts, default 5]
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { wiring } from '@mcpg-functions/server/wiring';
import { bundle, FUNCTION_PROCESS_ENV, functionNames } from '../../hack/bundle.ts';
import { sendPing } from '../cluster/ping.ts';
import { freePort } from '../cluster/ports.ts';
import { ManagedProcess, residentMiB, stopProcesses } from '../cluster/processes.ts';
import { pool, runOnControlPlane } from '../cluster/script.ts';
import { waitFor } from '../cluster/wait.ts';
import { startAdmission } from '../integration/support/admission.ts';
import { applyWith } from '../integration/support/crds.ts';
import { readMetric } from '../integration/support/function-process.ts';
import { jsonKubeconfig } from './json-kubeconfig.ts';
import { median, report, type Row } from './report.ts';

const count = Number(process.argv[2] ?? 1000);
const coldStarts = Number(process.argv[3] ?? 5);
const CONCURRENCY = 16;

await runOnControlPlane(
  'bench',
  async ({ cluster, kube, workDir, defer, createNamespace, startEventSource }) => {
    const kubeconfig = await jsonKubeconfig(cluster.kubeconfig, workDir);
    const env = { ...FUNCTION_PROCESS_ENV, KUBECONFIG: kubeconfig, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    const entries = new Map<string, string>();
    for (const name of functionNames().filter((n) => n !== 'admission'))
      entries.set(name, await bundle(name, path.join(workDir, `${name}-dist`)));

    function startFunction(name: string, label: string, port: number): ManagedProcess {
      return ManagedProcess.start({
        name: label,
        binary: process.execPath,
        args: [entries.get(name) ?? ''],
        logDir: workDir,
        env: { ...env, PORT: String(port) },
      });
    }

    async function startServerFunction(
      label: string,
    ): Promise<{ fn: ManagedProcess; url: string; firstEventMs: number }> {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const started = performance.now();
      const fn = startFunction('server', label, port);
      for (;;) {
        fn.assertRunning();
        const answered = await sendPing(url).then(
          (r) => r.status === 204,
          () => false,
        );
        if (answered) return { fn, url, firstEventMs: performance.now() - started };
        await sleep(5);
      }
    }

    const rows: Row[] = [];
    const cold: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < coldStarts; i += 1) {
      const { fn, firstEventMs } = await startServerFunction(`cold-${i}`);
      cold.push(firstEventMs);
      await sleep(2_000);
      rss.push(residentMiB(fn.record.pid));
      await stopProcesses([fn.record]);
    }
    rows.push({
      measure: 'cold start: spawn to first answered event',
      value: Math.round(median(cold)),
      unit: 'ms (median)',
      target: '≤ 300',
    });
    rows.push({
      measure: 'idle resident memory after one event',
      value: Math.round(median(rss)),
      unit: 'MiB (median)',
      target: '≤ 70',
    });
    // The others idle after their start, before any event.
    for (const name of entries.keys()) {
      if (name === 'server') continue;
      const port = await freePort();
      const fn = startFunction(name, `idle-${name}`, port);
      await waitFor(
        async () =>
          (await fetch(`http://127.0.0.1:${port}/health/readiness`).catch(() => undefined))?.ok
            ? true
            : undefined,
        { what: `the ${name} function`, timeoutMs: 20_000, watch: [fn] },
      );
      await sleep(2_000);
      rows.push({
        measure: `idle resident memory after start: ${name}`,
        value: Math.round(residentMiB(fn.record.pid)),
        unit: 'MiB',
        target: '≤ 70',
      });
      await stopProcesses([fn.record]);
    }
    // The webhook serves HTTPS only, so it starts with a serving certificate from a test CA; idle once ready.
    const admission = await startAdmission({
      kubeconfig,
      workDir,
      entry: await bundle('admission', path.join(workDir, 'admission-dist')),
      env: { ...FUNCTION_PROCESS_ENV, LOG_LEVEL: 'warn' },
    });
    await sleep(2_000);
    rows.push({
      measure: 'idle resident memory when ready: admission',
      value: Math.round(residentMiB(admission.pid)),
      unit: 'MiB',
      target: '≤ 70',
    });
    await admission.stop();

    // N servers through the real event source.
    await createNamespace('bench');
    await createNamespace('floor');
    const { fn, url } = await startServerFunction('server');
    defer(() => stopProcesses([fn.record]));
    await startEventSource('bench', `${url}/`, wiring.watches);
    await sleep(3_000); // the adapter's watches start

    const names = Array.from({ length: count }, (_, i) => `s${i}`);
    const serversPath = '/apis/mcpg.dev/v1alpha2/namespaces/bench/mcpgservers';
    const t0 = performance.now();
    await pool(names, CONCURRENCY, (name) =>
      applyWith(kube, {
        apiVersion: 'mcpg.dev/v1alpha2',
        kind: 'MCPGServer',
        metadata: { name, namespace: 'bench' },
        spec: { image: 'ghcr.io/example/tools:1', networkPolicy: { enabled: false } },
      }),
    );
    for (;;) {
      const list = await kubeRequest<{ items: { status?: { phase?: string } }[] }>(kube, {
        method: 'GET',
        path: serversPath,
      });
      if (list.items.filter((s) => s.status?.phase === 'Running').length >= count) break;
      await sleep(500);
    }
    const toRunning = (performance.now() - t0) / 1000;

    // The floor: the same client writes the children itself and waits for the Deployments to be Available.
    const f0 = performance.now();
    await pool(names, CONCURRENCY, async (name) => {
      const labels = { app: name };
      await kubeRequest(kube, {
        method: 'POST',
        path: '/apis/apps/v1/namespaces/floor/deployments',
        body: {
          metadata: { name },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  { name: 'server', image: 'ghcr.io/example/tools:1', ports: [{ containerPort: 8080 }] },
                ],
              },
            },
          },
        },
      });
      await kubeRequest(kube, {
        method: 'POST',
        path: '/api/v1/namespaces/floor/services',
        body: { metadata: { name }, spec: { selector: labels, ports: [{ port: 8080 }] } },
      });
    });
    for (;;) {
      const list = await kubeRequest<{ items: { status?: { availableReplicas?: number } }[] }>(kube, {
        method: 'GET',
        path: '/apis/apps/v1/namespaces/floor/deployments',
      });
      if (list.items.filter((d) => d.status?.availableReplicas === 1).length >= count) break;
      await sleep(500);
    }
    const floor = (performance.now() - f0) / 1000;
    rows.push({
      measure: `${count} MCPGServers to Running (event source + function)`,
      value: Number(toRunning.toFixed(1)),
      unit: 's',
      target: '',
    });
    rows.push({
      measure: `${count} Deployments + Services Available (client alone, floor)`,
      value: Number(floor.toFixed(1)),
      unit: 's',
      target: '',
    });

    // A quiet resync: nothing changed, so nothing may be written.
    await sleep(3_000);
    const before = await readMetric(url, 'mcpg_kube_api_requests', { verb: 'write' });
    const readsBefore = await readMetric(url, 'mcpg_kube_api_requests', { verb: 'read' });
    const r0 = performance.now();
    const answer = await sendPing(url);
    const resyncMs = performance.now() - r0;
    const writes = (await readMetric(url, 'mcpg_kube_api_requests', { verb: 'write' })) - before;
    const reads = (await readMetric(url, 'mcpg_kube_api_requests', { verb: 'read' })) - readsBefore;
    rows.push({
      measure: `no-op resync of ${count} servers (status ${answer.status})`,
      value: Math.round(resyncMs),
      unit: 'ms',
      target: '',
    });
    rows.push({ measure: 'API writes during that resync', value: writes, unit: 'writes', target: '0' });
    rows.push({ measure: 'API reads during that resync', value: reads, unit: 'reads', target: '' });
    await report('functions', rows, { count, coldStarts, concurrency: CONCURRENCY });
  },
);
