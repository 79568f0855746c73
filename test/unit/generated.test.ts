import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { valuesKey } from '../../hack/chart-functions.ts';
import { GENERATED_DIR, renderChart, renderChartSchema, SCHEMA_FILE } from '../../hack/chart.ts';
import { renderKnative, wirings } from '../../hack/knative-manifests.ts';

const knativeDir = path.resolve(import.meta.dirname, '../../knative');
const functionNames = (await wirings()).map((w) => w.name);

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
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        `ServiceAccount/mcpg-${name}`,
        `ClusterRole/mcpg-${name}`,
        `ClusterRoleBinding/mcpg-${name}`,
        `ServiceAccount/mcpg-${name}-source`,
        `ClusterRole/mcpg-${name}-source`,
        `ClusterRoleBinding/mcpg-${name}-source`,
        `Service/mcpg-${name}`,
        `ApiServerSource/mcpg-${name}`,
        `PingSource/mcpg-${name}-resync`,
      ]);
      const sourceRole = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name.endsWith('-source'));
      expect(sourceRole?.rules?.every((r) => r.verbs.join() === 'get,list,watch')).toBe(true);
      const wiring = (await wirings()).find((w) => w.name === name);
      expect(wiring?.watches[0]?.kind).toMatch(/^MCPG/);
    },
  );
});

const chartDir = path.resolve(import.meta.dirname, '../../chart');

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
