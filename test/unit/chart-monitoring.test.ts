import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createAdmissionMetrics } from '../../functions/admission/src/metrics.ts';
import { createSupplyChainMetrics } from '../../functions/supply-chain/src/metrics.ts';
import { fleetMetricNames } from '../../functions/shared/src/crd/kube-state-metrics.ts';
import { ObjectClient } from '@mcpg-functions/shared/kube';
import {
  createFunctionApp,
  createLogger,
  createRegistry,
  ReconcileDriver,
} from '@mcpg-functions/shared/runtime';
import { serverReconciler } from '@mcpg-functions/server/reconcile';
import { describe, expect, it } from 'vitest';

const chartDir = path.resolve(import.meta.dirname, '../../chart');

/**
 * Every metric a function and the webhook expose, as Prometheus sees them (histograms with their series), and
 * the fleet series kube-state-metrics makes with the chart's configuration.
 */
async function exposedMetrics(): Promise<Set<string>> {
  const logger = createLogger('test', 'silent');
  const client = new ObjectClient({ server: 'https://127.0.0.1:1', tls: {}, headers: () => ({}) }, 'test');
  const driver = new ReconcileDriver(serverReconciler({ bridgeImage: 'bridge:1' }), { client, log: logger });
  const app = createFunctionApp({ driver, logger, registry: createRegistry('server') });
  const admission = createRegistry('admission');
  createAdmissionMetrics(admission);
  const supplyChain = createRegistry('supply-chain');
  createSupplyChainMetrics(supplyChain);
  const text =
    String((await app.inject({ method: 'GET', url: '/metrics' })).body) +
    (await admission.metrics()) +
    (await supplyChain.metrics());
  await app.close();
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\w+)/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  for (const name of fleetMetricNames()) names.add(name);
  return names;
}

describe('the chart’s alerts and dashboard', () => {
  it('query only metrics the functions, the webhook and kube-state-metrics expose', async () => {
    const exposed = await exposedMetrics();
    const rules = (
      await Promise.all(
        ['monitoring.yaml', 'fleet-alerts.yaml'].map((file) =>
          readFile(path.join(chartDir, 'templates', file), 'utf8'),
        ),
      )
    ).join('\n');
    const dashboard = await readFile(path.join(chartDir, 'dashboards/mcpg-functions.json'), 'utf8');
    const queried = new Set([...`${rules}\n${dashboard}`.matchAll(/\bmcpg_[a-z_]+/g)].map((m) => m[0]));
    expect(queried.size).toBeGreaterThan(4);
    expect([...queried].filter((name) => name.startsWith('mcpg_server_'))).not.toEqual([]);
    for (const name of queried) expect(exposed, `${name} is queried but not exposed`).toContain(name);
  });

  it('are all documented in docs/metrics.md', async () => {
    const doc = await readFile(path.resolve(chartDir, '../docs/metrics.md'), 'utf8');
    const exposed = await exposedMetrics();
    const histogramSeries = (name: string) =>
      exposed.has(name.replace(/_(bucket|sum|count)$/, '')) && /_(bucket|sum|count)$/.test(name);
    // prom-client's process metrics are described as a group.
    const ours = [...exposed].filter(
      (name) => !/^mcpg_(process|nodejs)_/.test(name) && !histogramSeries(name),
    );
    expect(ours.length).toBeGreaterThan(100);
    for (const name of ours) {
      const generic = name.replace(/^mcpg_[a-z]+_/, 'mcpg_<kind>_');
      expect(
        doc.includes(`\`${name}\``) || doc.includes(`\`${generic}\``),
        `${name} is not in docs/metrics.md`,
      ).toBe(true);
    }
  });

  it('ships a dashboard Grafana can load', async () => {
    const dashboard = JSON.parse(
      await readFile(path.join(chartDir, 'dashboards/mcpg-functions.json'), 'utf8'),
    ) as { uid: string; panels: { targets: { expr: string }[] }[] };
    expect(dashboard.uid).toBe('mcpg-functions');
    expect(dashboard.panels.every((p) => p.targets.length > 0)).toBe(true);
  });
});
