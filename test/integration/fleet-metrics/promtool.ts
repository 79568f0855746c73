/**
 * The chart's alerting rules as Prometheus loads them (rendered by the real helm), promtool to check them, and
 * promtool rule unit tests built from series kube-state-metrics served for the test's fleet.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, toolPath } from '../../cluster/tools.ts';
import type { Sample } from '../../cluster/kube-state-metrics.ts';

type Rendered = { kind: string; metadata: { name: string } } & Record<string, unknown>;
interface Rule {
  alert?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

export const run = (tool: 'helm' | 'promtool', args: string[]) =>
  promisify(execFile)(toolPath(tool), args, { maxBuffer: 32 * 1024 * 1024 }).then((r) => r.stdout + r.stderr);

export const promtool = (args: string[]) => run('promtool', args);

/** One template of the chart, rendered with --set values on a cluster that serves the Prometheus Operator's API. */
export async function chartObjects(template: string, values: Record<string, string>): Promise<Rendered[]> {
  const sets = Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const text = await run('helm', [
    'template',
    'mcpg',
    path.join(REPO_ROOT, 'chart'),
    '-n',
    'mcpg-system',
    '--kube-version',
    '1.36.3',
    '--api-versions',
    'monitoring.coreos.com/v1',
    '--show-only',
    template,
    ...sets,
  ]);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
}

/** Every rule group of the chart's PrometheusRules, with alerts and the fleet metrics on. */
export async function rulesOf(): Promise<RuleFile> {
  const values = { 'monitoring.alerts.enabled': 'true', 'kubeStateMetrics.enabled': 'true' };
  const rendered = [
    ...(await chartObjects('templates/monitoring.yaml', values)),
    ...(await chartObjects('templates/fleet-alerts.yaml', values)),
  ];
  const groups = rendered
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec as RuleFile).groups);
  return { groups };
}

/** The query of the dashboard panel whose title starts with `title`. */
export async function dashboardQuery(title: string): Promise<string> {
  const file = path.join(REPO_ROOT, 'chart/dashboards/mcpg-functions.json');
  const dashboard = JSON.parse(await readFile(file, 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const expr = dashboard.panels.find((p) => p.title.startsWith(title))?.targets[0]?.expr;
  if (!expr) throw new Error(`the dashboard has no panel "${title}"`);
  return expr;
}

function seriesOf(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** What Prometheus makes of an annotation for an alert with these labels (our annotations use only $labels). */
function expand(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');
}

/**
 * Rule unit tests: the served series held for half an hour, and the alerts the fleet must raise — only for the
 * objects in a bad state, and only once their `for` has passed.
 */
export function fleetAlertTests(
  files: { rules: string; parsed: RuleFile },
  samples: Sample[],
  fleet: { namespace: string; suffix: string },
  gatewayPlugins: string,
) {
  const { namespace, suffix } = fleet;
  const rules = files.parsed;
  const alerts = new Map(
    rules.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert)
      .map((r) => [r.alert ?? '', r]),
  );
  const expected = (alertname: string, objects: Record<string, string>[]) => {
    const rule = alerts.get(alertname);
    if (!rule) throw new Error(`the chart has no alert ${alertname}`);
    return {
      eval_time: '20m',
      alertname,
      exp_alerts: objects.map((labels) => {
        const all = { ...rule.labels, ...labels };
        return {
          exp_labels: all,
          exp_annotations: Object.fromEntries(
            Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expand(v, { ...all, alertname })]),
          ),
        };
      }),
    };
  };
  const inNamespace = (name: string) => ({ namespace, name });
  return {
    rule_files: [files.rules],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: samples.map((s) => ({ series: seriesOf(s.name, s.labels), values: `${s.value}x30` })),
        // The dashboard's join of gateways to their plugin set's resolved entries (docs/metrics.md).
        promql_expr_test: [
          {
            expr: gatewayPlugins,
            eval_time: '5m',
            exp_samples: ['gw-autoscaled', 'gw-full', 'gw-short'].map((gateway) => ({
              labels: seriesOf('', { gateway, namespace, plugin_set: 'production' }),
              value: 1,
            })),
          },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'MCPGServerNotRunning', exp_alerts: [] },
          expected('MCPGServerNotRunning', [inNamespace('web-new'), inNamespace('web-pending')]),
          expected('MCPGGatewayReplicasBelowDesired', [
            inNamespace('gw-autoscaled'),
            inNamespace('gw-short'),
          ]),
          expected('MCPGPluginRefusedButReferenced', [{ name: `audit-${suffix}` }]),
          expected('MCPGInstancePastLifetime', [inNamespace('bob')]),
        ],
      },
    ],
  };
}
