/**
 * Plugin-set resolution on a real local control plane, with the function's own driver and resync (concurrency 4,
 * as deployed by default):
 *   - the first resync of N plugin sets (5 entries each over 20 verified plugins): sets resolved per second;
 *   - a no-op resync of the same sets: its duration and the API writes it made (must be 0);
 *   - the pure resolution alone (no API server): sets per second.
 *
 *   node test/bench/plugin-sets.ts [N, default 500]
 */
import { connect, kubeRequest, ObjectClient } from '@mcpg-functions/shared/kube';
import { createLogger, ReconcileDriver, resync as resyncAll } from '@mcpg-functions/shared/runtime';
import { pluginSetReconciler } from '@mcpg-functions/plugin-set/reconcile';
import { resolvePluginSet } from '../../functions/plugin-set/src/resolve.ts';
import type { PluginObject, PluginSetObject } from '../../functions/plugin-set/src/types.ts';
import { pool, runOnControlPlane } from '../cluster/script.ts';
import { applyWith } from '../integration/support/crds.ts';
import { pluginStatus } from '../fixtures/tenancy-objects.ts';
import { report, type Row } from './report.ts';

const count = Number(process.argv[2] ?? 500);
const PLUGINS = 20;
const ENTRIES = 5;
const CONCURRENCY = 16;

const pluginName = (i: number) => `bench-plugin-${i}`;
const pluginId = (i: number) => `dev.mcpg.bench.p${i}`;
const entries = (set: number) =>
  Array.from({ length: ENTRIES }, (_, k) => {
    const p = (set + k) % PLUGINS;
    return { id: pluginId(p), pluginRef: { name: pluginName(p) } };
  });

await runOnControlPlane('bench-plugin-sets', async ({ cluster, kube, createNamespace }) => {
  await createNamespace('bench');
  const plugins = Array.from({ length: PLUGINS }, (_, i) => i);
  await pool(plugins, CONCURRENCY, async (i) => {
    await applyWith(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name: pluginName(i) },
      spec: {
        pluginId: pluginId(i),
        version: '1.0.0',
        pluginClass: 'tool_gate',
        oci: { image: `registry.local/plugins/p${i}:1.0.0@sha256:${'1'.repeat(64)}` },
        trust: { signingKeyRef: { secretName: 'release-key' } },
      },
    });
    await kubeRequest(kube, {
      method: 'PATCH',
      path: `/apis/mcpg.dev/v1alpha2/mcpgplugins/${pluginName(i)}/status`,
      contentType: 'application/merge-patch+json',
      body: pluginStatus(pluginName(i), 1, false),
    });
  });
  const sets = Array.from({ length: count }, (_, i) => i);
  await pool(sets, CONCURRENCY, (i) =>
    applyWith(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPluginSet',
      metadata: { name: `set-${i}`, namespace: 'bench' },
      spec: { entries: entries(i) },
    }),
  );

  // The connection the deployed function uses (not the test client's KubeConfig).
  const client = new ObjectClient(await connect(cluster.kubeconfig), 'mcpg-functions/plugin-set');
  const driver = new ReconcileDriver(pluginSetReconciler(), { client, log: createLogger('bench', 'silent') });
  const resync = async () => {
    const writes = client.counts.writes;
    const t0 = performance.now();
    const result = await resyncAll(driver, {
      now: new Date(),
      concurrency: 4,
      signal: new AbortController().signal,
    });
    const seconds = (performance.now() - t0) / 1000;
    if (result.failed.length > 0) throw new Error(`${result.failed.length} sets failed`);
    return { seconds, writes: client.counts.writes - writes };
  };
  const first = await resync();
  const quiet = await resync();

  const plain = await Promise.all(
    plugins.map((i) =>
      kubeRequest<PluginObject>(kube, {
        method: 'GET',
        path: `/apis/mcpg.dev/v1alpha2/mcpgplugins/${pluginName(i)}`,
      }),
    ),
  );
  const byName = new Map(
    plain.map((p) => [p.metadata.name, { ...p, apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPlugin' }]),
  );
  const objects: PluginSetObject[] = sets.map((i) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGPluginSet',
    metadata: { name: `set-${i}`, namespace: 'bench' },
    spec: { entries: entries(i).map((e) => ({ ...e, enabled: true, enforce: true })) },
  }));
  const rounds = Math.max(1, Math.ceil(20_000 / count));
  const p0 = performance.now();
  for (let r = 0; r < rounds; r += 1) for (const set of objects) resolvePluginSet(set, byName);
  const pureSeconds = (performance.now() - p0) / 1000;

  const rows: Row[] = [
    {
      measure: `first resync of ${count} plugin sets (${ENTRIES} entries each)`,
      value: Number(first.seconds.toFixed(2)),
      unit: 's',
    },
    {
      measure: 'sets resolved and written per second',
      value: Math.round(count / first.seconds),
      unit: 'sets/s',
    },
    { measure: 'API writes in the first resync', value: first.writes, unit: 'writes' },
    { measure: `no-op resync of ${count} sets`, value: Number(quiet.seconds.toFixed(2)), unit: 's' },
    { measure: 'API writes in the no-op resync', value: quiet.writes, unit: 'writes (must be 0)' },
    {
      measure: 'pure resolution (no API server)',
      value: Math.round((count * rounds) / pureSeconds),
      unit: 'sets/s',
    },
  ];
  await report('plugin-sets', rows, { count, plugins: PLUGINS, entries: ENTRIES, resyncConcurrency: 4 });
});
