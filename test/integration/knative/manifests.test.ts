import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { clients } from '../support/cluster.ts';
import { dryRunApply, installKnativeCrds } from '../support/knative-crds.ts';

const knativeDir = path.resolve(import.meta.dirname, '../../../knative');

// The generated Knative wiring is accepted by a real API server that knows Knative's CRDs.
describe('knative/ manifests', () => {
  const kube = clients();
  beforeAll(async () => {
    await installKnativeCrds(kube);
  });

  it.each(readdirSync(knativeDir).filter((f) => f.endsWith('.yaml')))('%s passes a server-side dry run', async (file) => {
    const text = await readFile(path.join(knativeDir, file), 'utf8');
    // The Knative kinds become servable a moment after their CRDs are created.
    const output = await vi.waitFor(() => dryRunApply(kube, text), { timeout: 20_000, interval: 500 });
    expect(output).toContain(
      file.endsWith('-service.yaml') ? 'service.serving.knative.dev/mcpg-' : 'apiserversource.sources.knative.dev/mcpg-',
    );
  });
});
