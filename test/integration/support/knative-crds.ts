import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { kubeRequest, resourcePath } from '@mcpg-functions/shared/kube';
import { parseAllDocuments } from 'yaml';
import { toolPath, toolsBinDir } from '../../cluster/tools.ts';
import type { Clients } from './cluster.ts';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

export async function documents(file: string): Promise<Manifest[]> {
  return parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as Manifest);
}

/** Installs Knative's CRDs (taken from the knative.dev modules by the build script) and the mcpg-system namespace. */
export async function installKnativeCrds(kube: Clients): Promise<void> {
  const share = path.join(toolsBinDir(), '..', 'share');
  // Every file of them: a cache the build script filled at an older pin set may hold fewer kinds.
  const crdFiles = readdirSync(share).filter((f) => f.startsWith('knative-crds-'));
  if (!crdFiles.length) throw new Error(`Knative's CRDs are missing from ${share}; run 'make setup'`);
  const crds = (await Promise.all(crdFiles.map((file) => documents(path.join(share, file))))).flat();
  for (const crd of crds) {
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: `${resourcePath({ apiVersion: crd.apiVersion, plural: 'customresourcedefinitions', name: crd.metadata.name })}?fieldManager=mcpg-functions-tests&force=true`,
      body: crd,
      contentType: 'application/apply-patch+yaml',
    });
  }
  await kubeRequest(kube.config, {
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: 'mcpg-system' } },
  }).catch(() => undefined);
}

/**
 * `kubectl apply --server-side --dry-run=server` of a YAML stream: the API server validates every object as if
 * it were applied (schemas, defaults, admission) and stores nothing. Resolves with kubectl's output.
 */
export function dryRunApply(kube: Clients, yamlText: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      toolPath('kubectl'),
      [
        '--kubeconfig',
        kube.kubeconfigPath,
        'apply',
        '--server-side',
        '--dry-run=server',
        '--field-manager=mcpg-functions-tests',
        '-f',
        '-',
      ],
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl apply --dry-run=server failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(yamlText);
  });
}
