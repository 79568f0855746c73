import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { kubeRequest, resourcePath } from '@mcpg-functions/shared/kube';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toolsBinDir } from '../../cluster/tools.ts';
import { clients } from '../support/cluster.ts';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

const PLURALS: Record<string, string> = {
  ServiceAccount: 'serviceaccounts',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Service: 'services',
  ApiServerSource: 'apiserversources',
  PingSource: 'pingsources',
  CustomResourceDefinition: 'customresourcedefinitions',
};

async function documents(file: string): Promise<Manifest[]> {
  return parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as Manifest);
}

// The generated Knative wiring is accepted by a real API server that knows Knative's CRDs.
describe('knative/ manifests', () => {
  const kube = clients();
  const apply = (object: Manifest, dryRun: boolean) => {
    const plural = PLURALS[object.kind];
    if (!plural) throw new Error(`no resource known for ${object.kind}`);
    const path = resourcePath({
      apiVersion: object.apiVersion,
      plural,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
    });
    const query = `?fieldManager=mcpg-functions-tests&force=true${dryRun ? '&dryRun=All' : ''}`;
    return kubeRequest(kube.config, {
      method: 'PATCH',
      path: path + query,
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
  };

  beforeAll(async () => {
    const share = path.join(toolsBinDir(), '..', 'share');
    const crdFile = readdirSync(share).find((f) => f.startsWith('knative-crds-'));
    if (!crdFile) throw new Error(`Knative's CRDs are missing from ${share}; run 'make setup'`);
    for (const crd of await documents(path.join(share, crdFile))) await apply(crd, false);
    await kubeRequest(kube.config, {
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: 'mcpg-system' } },
    }).catch(() => undefined);
  });

  // Every generated file, so a new function's wiring is covered.
  const files = readdirSync(path.resolve(import.meta.dirname, '../../../knative')).filter((f) => f.endsWith('.yaml'));
  it.each(files.map((file) => [file]))('%s passes a server-side dry run', async (file) => {
    const objects = await documents(path.resolve(import.meta.dirname, '../../../knative', file));
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      // The Knative kinds become servable a moment after their CRDs are created.
      await vi.waitFor(() => apply(object, true), { timeout: 20_000, interval: 250 });
    }
  });
});
