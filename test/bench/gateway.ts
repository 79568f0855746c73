/**
 * The gateway function on a real local control plane, as deployed (the bundled dist/function.mjs), fed by
 * Knative's ApiServerSource adapter:
 *   - N gateways reconciled from scratch by one resync (gateways per second), then, once they all report Ready
 *     and the function has stopped writing, a no-op resync (writes: 0);
 *   - one route changed among the N gateways: the API writes the function made, and how many gateways' objects
 *     changed (only the route's gateway may).
 *
 *   node test/bench/gateway.ts [N, default 200]
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { wiring } from '@mcpg-functions/gateway/wiring';
import { eventSources } from '@mcpg-functions/shared/knative';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { bundle } from '../../hack/bundle.ts';
import { sendPing } from '../cluster/ping.ts';
import { waitFor } from '../cluster/wait.ts';
import {
  exampleResolved,
  gatewayIn,
  pluginSetIn,
  READY,
  routeIn,
  setStatus,
} from '../integration/gateway/fixtures.ts';
import { pool, runOnControlPlane } from '../cluster/script.ts';
import { applyWith } from '../integration/support/crds.ts';
import { report, type Row } from './report.ts';

const count = Number(process.argv[2] ?? 200);
const NAMESPACE = 'bench';
const CONCURRENCY = 16;

await runOnControlPlane(
  'bench-gateway',
  async ({ kube, workDir, createNamespace, startFunction, startEventSource }) => {
    const entry = await bundle('gateway', path.join(workDir, 'gateway-dist'));
    const fn = await startFunction('gateway', { entry });
    const { url } = fn;
    for (const source of eventSources(wiring))
      await startEventSource(`bench-${source.name}`, `${url}/`, source.watches, source.mode);
    await createNamespace(NAMESPACE);
    const set = await applyWith(kube, pluginSetIn(NAMESPACE, 'production'));
    await setStatus(kube, set, { conditions: [READY], resolved: exampleResolved() });
    const names = Array.from({ length: count }, (_, i) => `gw-${i}`);
    await pool(names, CONCURRENCY, (name) =>
      applyWith(
        kube,
        gatewayIn(NAMESPACE, name, { autoscaling: undefined, replicas: 1, config: { gateway: { name } } }),
      ),
    );
    await sleep(3_000); // let the adapter's watches settle

    const rows: Row[] = [];
    let started = performance.now();
    let writes = await fn.metric('mcpg_kube_api_requests', { verb: 'write' });
    if ((await sendPing(url)).status !== 204) throw new Error('the first resync failed');
    const firstPassMs = performance.now() - started;
    rows.push({
      measure: `first resync: ${count} gateways rendered`,
      value: Math.round((count / firstPassMs) * 1000),
      unit: 'gateways/s',
    });
    rows.push({
      measure: 'first resync: API writes',
      value: (await fn.metric('mcpg_kube_api_requests', { verb: 'write' })) - writes,
      unit: 'writes',
    });

    // Deployments become available (KWOK) and their status events are reconciled; then a quiet resync, once
    // every gateway reports Ready and the function has stopped writing (event-driven passes included), so the
    // resync's own writes are what is counted.
    await waitFor(
      async () => {
        // A first resync cut short by its deadline on a busy machine resumes with the next ping.
        await sendPing(url);
        const gateways = await kubeRequest<{
          items: { status?: { conditions?: { type: string; status: string }[] } }[];
        }>(kube, { method: 'GET', path: `/apis/mcpg.dev/v1alpha2/namespaces/${NAMESPACE}/mcpggateways` });
        const ready = gateways.items.filter((g) =>
          g.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === count ? true : undefined;
      },
      { what: 'every gateway to report Ready', timeoutMs: 600_000, intervalMs: 2_000 },
    );
    await sendPing(url);
    await waitFor(
      async () => {
        const before = await fn.metric('mcpg_kube_api_requests', { verb: 'write' });
        await sleep(3_000);
        return (await fn.metric('mcpg_kube_api_requests', { verb: 'write' })) === before ? true : undefined;
      },
      { what: 'the function to stop writing', timeoutMs: 120_000 },
    );
    started = performance.now();
    writes = await fn.metric('mcpg_kube_api_requests', { verb: 'write' });
    let reads = await fn.metric('mcpg_kube_api_requests', { verb: 'read' });
    await sendPing(url);
    rows.push({
      measure: `no-op resync of ${count} gateways`,
      value: Math.round((count / (performance.now() - started)) * 1000),
      unit: 'gateways/s',
    });
    rows.push({
      measure: 'no-op resync: API writes',
      value: (await fn.metric('mcpg_kube_api_requests', { verb: 'write' })) - writes,
      unit: 'writes (target 0)',
    });
    rows.push({
      measure: 'no-op resync: API reads per gateway',
      value: Number(
        (((await fn.metric('mcpg_kube_api_requests', { verb: 'read' })) - reads) / count).toFixed(1),
      ),
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
    writes = await fn.metric('mcpg_kube_api_requests', { verb: 'write' });
    reads = await fn.metric('mcpg_kube_api_requests', { verb: 'read' });
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
      value: (await fn.metric('mcpg_kube_api_requests', { verb: 'write' })) - writes,
      unit: 'writes',
    });
    rows.push({
      measure: 'route created: API reads by the function',
      value: (await fn.metric('mcpg_kube_api_requests', { verb: 'read' })) - reads,
      unit: 'reads',
    });

    await report('gateway', rows, { gateways: count, changedConfigMaps: changed });
  },
);
