/**
 * `make demo`: the local control plane with the mcpg.dev API installed and the examples applied, shown the way
 * `kubectl get mcpg` shows them, plus a refusal by the API server to show the schema's rules at work.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KINDS } from '@mcpg-functions/shared/api';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { KubeApiError } from '@mcpg-functions/shared/kube';
import { example, loadExamples, type Manifest } from '../fixtures/examples.ts';
import { applyWith, create, installCrdsWith } from '../integration/support/crds.ts';
import { toolPath } from './tools.ts';

const kubeconfigPath = process.argv[2];
if (!kubeconfigPath) throw new Error('usage: node test/cluster/demo.ts <kubeconfig>');
const config = loadKubeConfig(kubeconfigPath);
const kubectl = (...args: string[]) =>
  promisify(execFile)(toolPath('kubectl'), [`--kubeconfig=${kubeconfigPath}`, ...args]).then((r) => r.stdout);

await installCrdsWith(config);
console.log(`installed ${KINDS.length} CRDs (mcpg.dev/v1alpha2)`);
const namespaces = new Set(
  loadExamples().flatMap((m) => (m.metadata.namespace ? [m.metadata.namespace] : [])),
);
for (const namespace of namespaces) {
  await kubectl('create', 'namespace', namespace).catch(() => undefined);
}
for (const manifest of loadExamples()) await applyWith(config, manifest);
console.log('applied docs/examples\n');
console.log(await kubectl('get', 'mcpg', '--all-namespaces'));

const broken: Manifest = {
  ...example('MCPGGateway', { replicas: 0 }),
  metadata: { name: 'broken', namespace: 'mcpg' },
};
try {
  await create({ config }, broken, true);
} catch (error) {
  const message =
    error instanceof KubeApiError ? (JSON.parse(error.body) as { message: string }).message : String(error);
  console.log(`a gateway with replicas: 0 is refused by the API server itself:\n  ${message}\n`);
}
