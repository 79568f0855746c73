/**
 * Everything generated from declarations in the code, written in place (a unit test fails when any is stale):
 *   crds/            the CRDs, from the zod schemas
 *   docs/api.md      the API reference, from the same schemas
 *   knative/*.yaml   each function's Knative wiring, from its src/wiring.ts
 *   chart/templates/generated/  the same, as Helm templates, plus the webhook's configuration
 *   chart/kube-state-metrics/   kube-state-metrics' custom-resource-state configuration, from the schemas
 *   chart/values.schema.json    the chart's values, from hack/chart-values.ts
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderApiReference } from '../functions/shared/src/crd/api-reference.ts';
import { renderCrds } from '../functions/shared/src/crd/render.ts';
import { renderCustomResourceStateConfig } from '../functions/shared/src/crd/kube-state-metrics.ts';
import { GENERATED_DIR, renderChart, renderChartSchema, SCHEMA_FILE } from './chart.ts';
import { renderKnative } from './knative-manifests.ts';

const root = path.resolve(import.meta.dirname, '..');

await mkdir(path.join(root, 'crds'), { recursive: true });
for (const [file, text] of renderCrds()) await writeFile(path.join(root, 'crds', file), text);
await writeFile(path.join(root, 'docs/api.md'), renderApiReference());
await mkdir(path.join(root, 'knative'), { recursive: true });
for (const [file, text] of await renderKnative()) await writeFile(path.join(root, 'knative', file), text);
const chartDir = path.join(root, 'chart', GENERATED_DIR);
await rm(chartDir, { recursive: true, force: true });
await mkdir(chartDir, { recursive: true });
for (const [file, text] of await renderChart()) await writeFile(path.join(chartDir, file), text);
await writeFile(
  path.join(root, 'chart/kube-state-metrics/custom-resource-state.yaml'),
  renderCustomResourceStateConfig(),
);
await writeFile(path.join(root, 'chart', SCHEMA_FILE), await renderChartSchema());
console.error(
  'generated crds/, docs/api.md, knative/, chart/templates/generated/, chart/kube-state-metrics/ and chart/values.schema.json',
);
