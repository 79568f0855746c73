import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { valuesKey } from '../../hack/chart-functions.ts';
import { GENERATED_DIR, renderChart, renderChartSchema, SCHEMA_FILE } from '../../hack/chart.ts';
import { renderKnative, wirings } from '../../hack/knative-manifests.ts';
import { renderCustomResourceStateConfig } from '../../functions/shared/src/crd/kube-state-metrics.ts';
import {
  eventSources,
  isSensitive,
  knativeDerives,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';

const knativeDir = path.resolve(import.meta.dirname, '../../knative');
const chartDir = path.resolve(import.meta.dirname, '../../chart');
const all = await wirings();
const functionNames = all.map((w) => w.name);

describe('knative/', () => {
  it('matches what the functions declare (run `make generate` after changing a wiring)', async () => {
    const generated = await renderKnative();
    expect((await readdir(knativeDir)).filter((f) => f.endsWith('.yaml')).sort()).toEqual(
      [...generated.keys()].sort(),
    );
    for (const [file, text] of generated) {
      expect(await readFile(path.join(knativeDir, file), 'utf8'), `knative/${file} is stale`).toBe(text);
    }
  });

  it.each(functionNames.map((name) => [name]))(
    'gives the %s function a scale-to-zero Service, its sources and least-privilege RBAC',
    async (name) => {
      const text = await readFile(path.join(knativeDir, `${name}.yaml`), 'utf8');
      const objects = parseAllDocuments(text).map(
        (d) =>
          d.toJS() as {
            kind: string;
            metadata: { name: string };
            spec?: Record<string, unknown>;
            rules?: { verbs: string[] }[];
          },
      );
      const sources = eventSources((await wirings()).find((w) => w.name === name) as FunctionWiring);
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        `ServiceAccount/mcpg-${name}`,
        `ClusterRole/mcpg-${name}`,
        `ClusterRoleBinding/mcpg-${name}`,
        // Bound cluster-wide, in the function's own namespace, or (watched sources) by the tenant function.
        ...sources.flatMap((s) => [
          `ServiceAccount/${s.name}-source`,
          `ClusterRole/${s.name}-source`,
          ...{
            cluster: [`ClusterRoleBinding/${s.name}-source`],
            own: [`RoleBinding/${s.name}-source`],
            tenants: [],
          }[s.scope],
        ]),
        // Knative's controller watches the kinds whose resource it derives right; its adapter, run directly,
        // the others (the gateway function's own MCPGGateway).
        ...sources.flatMap((s) => [
          ...(s.watches.some(knativeDerives) ? [`ApiServerSource/${s.name}`] : []),
          ...(s.watches.every(knativeDerives) ? [] : [`ContainerSource/${s.name}-direct`]),
        ]),
        `PingSource/mcpg-${name}-resync`,
      ]);
      const service = parseAllDocuments(
        await readFile(path.join(knativeDir, `${name}-service.yaml`), 'utf8'),
      );
      expect(service.map((d) => (d.toJS() as { kind: string }).kind)).toEqual(['Service']);
      const sourceRoles = objects.filter(
        (o) => o.kind === 'ClusterRole' && o.metadata.name.endsWith('-source'),
      );
      expect(sourceRoles.every((role) => role.rules?.every((r) => r.verbs.join() === 'get,list,watch'))).toBe(
        true,
      );
      const wiring = (await wirings()).find((w) => w.name === name);
      expect(wiring?.watches[0]?.kind).toMatch(/^MCPG/);
    },
  );
});

describe('event sources', () => {
  type KnativeService = { spec: { template: { metadata: { labels: Record<string, string> } } } };
  /** A function's pod: the labels its Service's template gives it, and those Knative Serving adds. */
  async function ownPodLabels(name: string): Promise<Record<string, string>> {
    const text = await readFile(path.join(knativeDir, `${name}-service.yaml`), 'utf8');
    const service = parse(text) as KnativeService;
    return {
      ...service.spec.template.metadata.labels,
      'serving.knative.dev/service': `mcpg-${name}`,
      'serving.knative.dev/configuration': `mcpg-${name}`,
      'serving.knative.dev/revision': `mcpg-${name}-00001`,
    };
  }
  const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
    Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

  it.each(all.map((w) => [w.name]))(
    "select nothing the %s function's own pods or Services carry",
    async (name) => {
      const labels = await ownPodLabels(name);
      const waking = all.flatMap((w) =>
        w.watches
          .filter((watch) => !watch.apiVersion.startsWith('mcpg.dev/') && watch.kind !== 'Namespace')
          .filter((watch) => matches(watch.matchLabels, labels))
          .map((watch) => `${w.name} watches ${watch.kind} ${JSON.stringify(watch.matchLabels ?? {})}`),
      );
      expect(waking).toEqual([]);
    },
  );

  it.each(all.map((w) => [w.name]))(
    'send Secrets and ConfigMaps for %s only by reference, only when selected, and never with its other kinds',
    (name) => {
      for (const source of eventSources(all.find((w) => w.name === name) as FunctionWiring)) {
        const sensitive = source.watches.filter(isSensitive);
        expect(sensitive.length === 0 || sensitive.length === source.watches.length).toBe(true);
        if (source.mode === 'Resource') expect(sensitive).toEqual([]);
        for (const watch of sensitive) expect(Object.keys(watch.matchLabels ?? {})).not.toEqual([]);
      }
    },
  );

  /**
   * Computed from Knative Serving's defaults, not measured: with no requests, the autoscaler scales a revision to
   * zero once its 60 s stable window has passed, and the last pod goes at most the 30 s grace period later.
   */
  const TIME_TO_ZERO_SECONDS = 60 + 30;
  // The chart's defaults are the wirings' (checked below).
  it.each(all.map((w) => [w.name, w.resyncSchedule]))(
    'ping %s (%s) seldom enough to spend most of each interval at zero',
    (_, schedule) => {
      const every = /^\*\/(\d+) \* \* \* \*$/.exec(schedule)?.[1];
      expect(every, `${schedule} is not every N minutes`).toBeDefined();
      expect(Number(every) * 60).toBeGreaterThanOrEqual(3 * TIME_TO_ZERO_SECONDS);
    },
  );
});

describe('chart/', () => {
  it('has templates matching the code (run `make generate` after changing the API or a wiring)', async () => {
    const generated = await renderChart();
    const dir = path.join(chartDir, GENERATED_DIR);
    expect((await readdir(dir)).sort()).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated) {
      expect(await readFile(path.join(dir, file), 'utf8'), `${GENERATED_DIR}/${file} is stale`).toBe(text);
    }
    expect(await readFile(path.join(chartDir, SCHEMA_FILE), 'utf8'), `${SCHEMA_FILE} is stale`).toBe(
      await renderChartSchema(),
    );
  });

  it('ships the kube-state-metrics configuration the schemas give (run `make generate` after changing the API)', async () => {
    const file = path.join(chartDir, 'kube-state-metrics/custom-resource-state.yaml');
    expect(await readFile(file, 'utf8'), 'kube-state-metrics/custom-resource-state.yaml is stale').toBe(
      renderCustomResourceStateConfig(),
    );
  });

  it('has values for every function', async () => {
    const values = parse(await readFile(path.join(chartDir, 'values.yaml'), 'utf8')) as {
      functions: Record<string, { enabled: boolean; resyncSchedule: string; maxScale: number }>;
    };
    const keys = (await wirings()).map((w) => valuesKey(w.name)).sort();
    expect(Object.keys(values.functions).sort()).toEqual(keys);
    for (const wiring of await wirings()) {
      expect(
        values.functions[valuesKey(wiring.name)]?.resyncSchedule,
        `${wiring.name}'s default schedule`,
      ).toBe(wiring.resyncSchedule);
    }
  });
});
