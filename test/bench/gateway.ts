/**
 * The gateway function on a real local control plane, as deployed (the bundled dist/function.mjs), fed by
 * Knative's ApiServerSource adapter:
 *   - N gateways reconciled from scratch by one resync (gateways per second), then a no-op resync (writes: 0);
 *   - one route changed among the N gateways: the API writes the function made, and how many gateways' objects
 *     changed (only the route's gateway may).
 *
 *   node test/bench/gateway.ts [N, default 200]
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { wiring } from '@mcpg-functions/gateway/wiring';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { bundle } from '../../hack/bundle.ts';
import { adapterResources, startAdapter, stopAdapter } from '../cluster/adapter.ts';
import { startControlPlane, stopControlPlane } from '../cluster/control-plane.ts';
import { sendPing } from '../cluster/ping.ts';
import { freePort } from '../cluster/ports.ts';
import { ManagedProcess, stopProcesses } from '../cluster/processes.ts';
import { waitFor } from '../cluster/wait.ts';
import {
  exampleResolved,
  gatewayIn,
  pluginSetIn,
  READY,
  routeIn,
  setStatus,
} from '../integration/gateway/fixtures.ts';
import { applyWith, installCrdsWith } from '../integration/support/crds.ts';
import { report, type Row } from './report.ts';

const count = Number(process.argv[2] ?? 200);
const NAMESPACE = 'bench';
const CONCURRENCY = 16;

async function pool<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** API requests the function made so far (its own counter). */
async function requests(url: string, verb: 'read' | 'write'): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('mcpg_kube_api_requests') && l.includes(`verb="${verb}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

const cluster = await startControlPlane({
  onProgress: (line) => {
    console.error(`[cluster] ${line}`);
  },
});
const stops: (() => Promise<void>)[] = [() => stopControlPlane(cluster)];
try {
  const kube = loadKubeConfig(cluster.kubeconfig);
  await installCrdsWith(kube);
  const workDir = path.join(cluster.runDir, 'bench');
  await mkdir(workDir, { recursive: true });
  const entry = await bundle('gateway', path.join(workDir, 'gateway-dist'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fn = ManagedProcess.start({
    name: 'bench-gateway',
    binary: process.execPath,
    args: [entry],
    logDir: workDir,
    env: { KUBECONFIG: cluster.kubeconfig, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
  });
  stops.unshift(() => stopProcesses([fn.record]));
  await waitFor(
    async () => ((await fetch(`${url}/health/readiness`).catch(() => undefined))?.ok ? true : undefined),
    {
      what: 'the gateway function',
      timeoutMs: 20_000,
      watch: [fn],
    },
  );
  const adapter = await startAdapter({
    name: 'bench-gateway',
    kubeconfig: cluster.kubeconfig,
    sink: `${url}/`,
    allNamespaces: true,
    resources: adapterResources(wiring.watches),
    logDir: workDir,
  });
  stops.unshift(() => stopAdapter(adapter));

  await kubeRequest(kube, {
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: NAMESPACE } },
  });
  const set = await applyWith(kube, pluginSetIn(NAMESPACE, 'production'));
  await setStatus(kube, set, { conditions: [READY], resolved: exampleResolved() });
  const names = Array.from({ length: count }, (_, i) => `gw-${i}`);
  await pool(names, (name) =>
    applyWith(
      kube,
      gatewayIn(NAMESPACE, name, { autoscaling: undefined, replicas: 1, config: { gateway: { name } } }),
    ),
  );
  await sleep(3_000); // let the adapter's watches settle

  const rows: Row[] = [];
  let started = performance.now();
  let writes = await requests(url, 'write');
  if ((await sendPing(url)).status !== 204) throw new Error('the first resync failed');
  const firstPassMs = performance.now() - started;
  rows.push({
    measure: `first resync: ${count} gateways rendered`,
    value: Math.round((count / firstPassMs) * 1000),
    unit: 'gateways/s',
  });
  rows.push({
    measure: 'first resync: API writes',
    value: (await requests(url, 'write')) - writes,
    unit: 'writes',
  });

  // Deployments become available (KWOK) and their status events are reconciled; then a quiet resync.
  await sleep(10_000);
  await sendPing(url);
  started = performance.now();
  writes = await requests(url, 'write');
  let reads = await requests(url, 'read');
  await sendPing(url);
  rows.push({
    measure: `no-op resync of ${count} gateways`,
    value: Math.round((count / (performance.now() - started)) * 1000),
    unit: 'gateways/s',
  });
  rows.push({
    measure: 'no-op resync: API writes',
    value: (await requests(url, 'write')) - writes,
    unit: 'writes (target 0)',
  });
  rows.push({
    measure: 'no-op resync: API reads per gateway (with event-driven passes as pods turn ready)',
    value: Number((((await requests(url, 'read')) - reads) / count).toFixed(1)),
    unit: 'reads',
  });

  // One route among N gateways.
  const target = names[Math.floor(count / 2)] ?? 'gw-0';
  const snapshot = async () =>
    Object.fromEntries(
      (
        await kubeRequest<{ items: { metadata: { name: string; resourceVersion: string } }[] }>(kube, {
          method: 'GET',
          path: `/api/v1/namespaces/${NAMESPACE}/configmaps?labelSelector=app.kubernetes.io/name=mcpggateway`,
        })
      ).items.map((c) => [c.metadata.name, c.metadata.resourceVersion]),
    );
  const before = await snapshot();
  writes = await requests(url, 'write');
  reads = await requests(url, 'read');
  started = performance.now();
  await applyWith(kube, routeIn(NAMESPACE, 'orders', { namespace: NAMESPACE, name: target }));
  await waitFor(
    async () => ((await snapshot())[`${target}-config`] !== before[`${target}-config`] ? true : undefined),
    {
      what: 'the route to reach its gateway',
      timeoutMs: 30_000,
    },
  );
  const routeMs = performance.now() - started;
  await sleep(5_000); // anything wrongly mapped would land by now
  const after = await snapshot();
  const changed = Object.keys(after).filter((name) => after[name] !== before[name]);
  rows.push({
    measure: 'route created: event to its gateway’s ConfigMap rewritten',
    value: Math.round(routeMs),
    unit: 'ms',
  });
  rows.push({
    measure: `route created: gateways whose ConfigMap changed (of ${count})`,
    value: changed.length,
    unit: 'gateways (target 1)',
  });
  rows.push({
    measure: 'route created: API writes by the function (ConfigMap, Deployment, status; events)',
    value: (await requests(url, 'write')) - writes,
    unit: 'writes',
  });
  rows.push({
    measure: 'route created: API reads by the function',
    value: (await requests(url, 'read')) - reads,
    unit: 'reads',
  });

  await report('gateway', rows, { gateways: count, changedConfigMaps: changed });
} finally {
  for (const stop of stops) await stop();
}
