/**
 * The fleet metrics end to end: the chart's kube-state-metrics configuration and RBAC, given to the real
 * kube-state-metrics running as that ServiceAccount against the real API server, turn objects of all ten kinds
 * into the documented series; promtool then checks the chart's fleet alerts and runs their unit tests on exactly
 * the series kube-state-metrics served.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KINDS } from '@mcpg-functions/shared/api';
import { kubeRequest, resourcePath } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricPrefix } from '../../../functions/shared/src/crd/kube-state-metrics.ts';
import {
  parseSamples,
  startKubeStateMetrics,
  type KubeStateMetrics,
  type Sample,
} from '../../cluster/kube-state-metrics.ts';
import { waitFor } from '../../cluster/wait.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { tokenKubeconfig } from '../support/service-accounts.ts';
import { createFleet, fleet } from './fleet.ts';
import { chartObjects, dashboardQuery, fleetAlertTests, promtool, rulesOf, run } from './promtool.ts';
import { REPO_ROOT } from '../../cluster/tools.ts';

const kube = clients();
const namespace = useNamespace('fleet');
const suffix = randomBytes(3).toString('hex');
const ACCOUNT = 'kube-state-metrics';

let workDir: string;
let ksm: KubeStateMetrics | undefined;
let samples: Sample[] = [];
let removeClusterObjects: () => Promise<void> = async () => {};

/** Cluster-wide objects get the suffix, so that a leftover of another run cannot clash. */
function rbacPath(object: { kind: string; metadata: { name: string } }): string {
  return `/apis/rbac.authorization.k8s.io/v1/${object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`;
}

/** Installs what the chart ships for kube-state-metrics and returns the configuration file it carries. */
async function installChartPart(): Promise<string> {
  const objects = await chartObjects('templates/kube-state-metrics.yaml', {
    'kubeStateMetrics.enabled': 'true',
    'kubeStateMetrics.namespace': namespace.name,
    'kubeStateMetrics.serviceAccount': ACCOUNT,
  });
  await kube.core.createNamespacedServiceAccount({
    namespace: namespace.name,
    body: { metadata: { name: ACCOUNT } },
  });
  const rbac = objects
    .filter((o) => o.kind !== 'ConfigMap')
    .map((o) => ({ ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-${suffix}` } }));
  const binding = rbac.find((o) => o.kind === 'ClusterRoleBinding') as
    { roleRef: { name: string } } | undefined;
  if (binding) binding.roleRef.name = `${binding.roleRef.name}-${suffix}`;
  for (const object of rbac)
    await kubeRequest(kube.config, { method: 'POST', path: rbacPath(object), body: object });
  const remove = rbac.map((o) => `${rbacPath(o)}/${o.metadata.name}`);
  removeClusterObjects = async () => {
    for (const url of remove)
      await kubeRequest(kube.config, { method: 'DELETE', path: url }).catch(() => undefined);
  };
  const configMap = objects.find((o) => o.kind === 'ConfigMap') as
    { metadata: { name: string }; data: Record<string, string> } | undefined;
  const config = configMap?.data['custom-resource-state.yaml'];
  if (!configMap || !config) throw new Error('the chart rendered no kube-state-metrics configuration');
  await kube.core.createNamespacedConfigMap({ namespace: namespace.name, body: configMap });
  const file = path.join(workDir, 'custom-resource-state.yaml');
  await writeFile(file, config);
  return file;
}

const objects = fleet(namespace.name, suffix);
const ours = (s: Sample) =>
  s.name.startsWith('mcpg_') &&
  (s.labels.namespace === namespace.name || (s.labels.name ?? '').endsWith(`-${suffix}`));

async function scrape(): Promise<Sample[]> {
  if (!ksm) throw new Error('kube-state-metrics is not running');
  return parseSamples(await (await fetch(ksm.metricsUrl)).text()).filter(ours);
}

/** The value of the one series with these labels (undefined when there is none). */
function valueOf(name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}

describe('fleet metrics from kube-state-metrics with the chart’s configuration', () => {
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'mcpg-fleet-'));
    await installCrds(kube);
    const configFile = await installChartPart();
    await createFleet(kube.config, objects);
    ksm = await startKubeStateMetrics({
      kubeconfig: await tokenKubeconfig(kube, namespace.name, ACCOUNT, workDir),
      configFile,
      logDir: workDir,
    });
    // Every object shows up once its kind's informer has listed it.
    samples = await waitFor(
      async () => {
        const current = await scrape();
        const seen = new Set(
          current.filter((s) => s.name.endsWith('_info')).map((s) => `${s.name}/${s.labels.name}`),
        );
        return seen.size >= objects.length ? current : undefined;
      },
      {
        what: 'kube-state-metrics to serve every object',
        timeoutMs: 60_000,
        watch: [ksm.process],
        log: ksm.process.record.log,
      },
    );
  }, 120_000);

  afterAll(async () => {
    await ksm?.stop();
    for (const { manifest } of objects.filter((o) => !o.manifest.metadata.namespace)) {
      const kind = KINDS.find((k) => k.kind === manifest.kind);
      if (!kind) continue;
      const url = resourcePath({
        apiVersion: manifest.apiVersion,
        plural: kind.plural,
        name: manifest.metadata.name,
      });
      await kubeRequest(kube.config, { method: 'DELETE', path: url }).catch(() => undefined);
    }
    await removeClusterObjects();
    await rm(workDir, { recursive: true, force: true });
  });

  it.each(KINDS.map((k) => [k.kind, k] as const))('serves an info series and Ready per %s', (_, kind) => {
    const prefix = metricPrefix(kind);
    const mine = objects.filter((o) => o.manifest.kind === kind.kind);
    expect(mine.length).toBeGreaterThan(0);
    for (const { manifest, status } of mine) {
      const identity = {
        name: manifest.metadata.name,
        ...(manifest.metadata.namespace ? { namespace: namespace.name } : {}),
      };
      expect(valueOf(`${prefix}_info`, identity), `${prefix}_info of ${manifest.metadata.name}`).toBe(1);
      const readyStatus = (status.conditions as { type: string; status: string }[] | undefined)?.find(
        (c) => c.type === 'Ready',
      )?.status;
      for (const value of ['True', 'False', 'Unknown']) {
        expect(valueOf(`${prefix}_status_condition`, { ...identity, type: 'Ready', status: value })).toBe(
          readyStatus === undefined ? undefined : Number(value === readyStatus),
        );
      }
    }
  });

  it.each([
    ['mcpg_server_status_phase', { name: 'web-pending', phase: 'Pending' }, 1],
    ['mcpg_server_status_phase', { name: 'web-pending', phase: 'Running' }, 0],
    ['mcpg_server_status_phase', { name: 'web-running', phase: 'Running' }, 1],
    ['mcpg_server_status_phase', { name: 'web-new', phase: 'Running' }, undefined],
    ['mcpg_server_status_ready_replicas', { name: 'web-running' }, 2],
    ['mcpg_server_status_ready_replicas', { name: 'web-new' }, 0],
    ['mcpg_server_spec_replicas', { name: 'web-running' }, 2],
    ['mcpg_server_info', { name: 'web-running', transport: 'streamable-http' }, 1],
    ['mcpg_gateway_spec_replicas', { name: 'gw-short' }, 3],
    ['mcpg_gateway_status_available_replicas', { name: 'gw-short' }, 1],
    ['mcpg_gateway_spec_autoscaling_enabled', { name: 'gw-autoscaled' }, 1],
    ['mcpg_gateway_spec_autoscaling_min_replicas', { name: 'gw-autoscaled' }, 3],
    ['mcpg_gateway_info', { name: 'gw-full', plugin_set: 'production' }, 1],
    ['mcpg_pluginset_status_resolved_entries', { name: 'production' }, 1],
    [
      'mcpg_pluginset_status_failed_entry_info',
      { name: 'production', id: 'dev.mcpg.audit.stdout', reason: 'PluginRevoked' },
      1,
    ],
    ['mcpg_pluginset_spec_entry_info', { name: 'production', plugin: `audit-${suffix}`, enabled: 'true' }, 1],
    ['mcpg_plugin_status_revoked_by_sha', { name: `audit-${suffix}` }, 1],
    ['mcpg_plugin_status_revoked_by_sha', { name: `unused-${suffix}` }, undefined],
    [
      'mcpg_plugin_status_condition',
      { name: `unused-${suffix}`, type: 'Verified', status: 'False', reason: 'SignatureInvalid' },
      1,
    ],
    [
      'mcpg_plugin_info',
      { name: `identity-${suffix}`, plugin_id: 'dev.mcpg.identity.workload', version: '1.2.3' },
      1,
    ],
    ['mcpg_instance_status_phase', { name: 'bob', phase: 'Idle' }, 1],
    ['mcpg_instance_status_expires_timestamp_seconds', { name: 'bob' }, 60],
    [
      'mcpg_instance_status_last_used_timestamp_seconds',
      { name: 'alice' },
      Date.parse('2026-11-01T08:30:00Z') / 1000,
    ],
    ['mcpg_tenant_status_observed_gateways', { name: `team-${suffix}` }, 2],
    ['mcpg_tenant_spec_quotas_max_gateways', { name: `team-${suffix}` }, 2],
    ['mcpg_revocationlist_status_observed_revocations', { name: `revoked-${suffix}` }, 3],
    ['mcpg_pluginmirror_status_reachable', { name: `harbor-${suffix}` }, 1],
    ['mcpg_cluster_status_bound_gateways', { name: `redis-${suffix}` }, 1],
    ['mcpg_route_status_matched_tools', { name: 'orders' }, 2],
  ] as const)('serves %s %j = %s', (name, labels, value) => {
    expect(valueOf(name, labels)).toBe(value);
  });

  it('serves a server’s phase as one series per phase with exactly the documented labels', () => {
    const phases = samples.filter(
      (s) => s.name === 'mcpg_server_status_phase' && s.labels.name === 'web-pending',
    );
    expect(phases.map((s) => [s.labels.phase, s.value])).toEqual([
      ['Degraded', 0],
      ['Failed', 0],
      ['Pending', 1],
      ['Running', 0],
      ['Starting', 0],
    ]);
    expect(phases[0]?.labels).toEqual({
      customresource_group: 'mcpg.dev',
      customresource_kind: 'MCPGServer',
      customresource_version: 'v1alpha2',
      namespace: namespace.name,
      name: 'web-pending',
      phase: 'Degraded',
    });
  });

  it('logs no error: absent optional fields are expected, not faults', async () => {
    const log = await readFile(ksm?.process.record.log ?? '', 'utf8');
    expect(log.split('\n').filter((line) => /^E\d{4} /.test(line))).toEqual([]);
  });

  it('labels namespaced kinds with their namespace and cluster-scoped kinds without one', () => {
    expect(
      samples
        .filter((s) => s.name.startsWith('mcpg_server_'))
        .every((s) => s.labels.namespace === namespace.name),
    ).toBe(true);
    expect(
      samples.filter((s) => s.name.startsWith('mcpg_plugin_')).some((s) => 'namespace' in s.labels),
    ).toBe(false);
  });

  it('leaves a chart that passes helm lint with the fleet metrics on', async () => {
    const chart = path.join(REPO_ROOT, 'chart');
    const sets = ['--set', 'kubeStateMetrics.enabled=true', '--set', 'monitoring.alerts.enabled=true'];
    expect(await run('helm', ['lint', '--strict', chart, '--kube-version', '1.36.3', ...sets])).toContain(
      '0 chart(s) failed',
    );
  });

  it('passes promtool’s rule checks and the fleet alerts’ unit tests on the served series', async () => {
    const rules = path.join(workDir, 'rules.yaml');
    const parsed = await rulesOf();
    await writeFile(rules, JSON.stringify(parsed));
    expect(await promtool(['check', 'rules', rules])).toMatch(/SUCCESS/);
    const tests = path.join(workDir, 'fleet-alerts.test.yaml');
    const gatewayPlugins = await dashboardQuery('Plugins each gateway loads');
    const unitTests = fleetAlertTests(
      { rules, parsed },
      samples,
      { namespace: namespace.name, suffix },
      gatewayPlugins,
    );
    await writeFile(tests, JSON.stringify(unitTests));
    expect(await promtool(['test', 'rules', tests])).toMatch(/SUCCESS/);
  });
});
