/**
 * Any operator binary through the head-to-head benchmark: its CRDs installed (replacing ours where names clash),
 * the binary run with KUBECONFIG pointing at a ServiceAccount bound to cluster-admin, and the workload made from
 * its own sample object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { findKind } from '@mcpg-functions/shared/api';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { ManagedProcess, stopProcesses } from '../cluster/processes.ts';
import { waitFor } from '../cluster/wait.ts';
import {
  applyObject,
  clusterAdminAccount,
  SYSTEM_NAMESPACE,
  WORKLOAD_NAMESPACE,
  type KubeObject,
  type System,
  type Workload,
} from './h2h-systems.ts';

export interface PeerOptions {
  binary: string;
  args: string[];
  crdDir: string;
  sampleFile: string;
  count: number;
  label: string;
}

type Crd = { kind: string; spec: { group: string; names: { kind: string; plural: string } } };

function yamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && typeof d === 'object');
}

function crdsIn(dir: string): Crd[] {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  if (files.length === 0)
    throw new Error(`--crds ${dir} holds no .yaml file: give the folder of the peer's CRDs`);
  return files
    .flatMap((f) => yamlDocuments(path.join(dir, f)))
    .filter((d): d is Crd => (d as { kind?: string }).kind === 'CustomResourceDefinition');
}

/**
 * The peer's sample: one object in YAML whose `{{name}}` and `{{namespace}}` are replaced per object; its kind
 * must be one of the peer's CRDs, and Deployments it leads to are counted in the workload namespace.
 */
export function peerWorkload(options: PeerOptions, crds: Crd[]): Workload {
  const template = readFileSync(options.sampleFile, 'utf8');
  if (!template.includes('{{name}}'))
    throw new Error(`--sample ${options.sampleFile} has no {{name}}: write metadata.name: "{{name}}"`);
  const render = (name: string) => {
    const [object, ...more] = parseAllDocuments(
      template.replaceAll('{{name}}', name).replaceAll('{{namespace}}', WORKLOAD_NAMESPACE),
    ).map((d) => d.toJS() as KubeObject);
    if (!object || more.length > 0)
      throw new Error(`--sample ${options.sampleFile} must hold exactly one object`);
    return { ...object, metadata: { ...object.metadata, name, namespace: WORKLOAD_NAMESPACE } };
  };
  const sample = render('sample');
  if (typeof sample.apiVersion !== 'string' || typeof sample.kind !== 'string')
    throw new Error(`--sample ${options.sampleFile} must be one Kubernetes object with apiVersion and kind`);
  const crd = crds.find(
    (c) => c.spec.names.kind === sample.kind && sample.apiVersion.startsWith(`${c.spec.group}/`),
  );
  const plural = crd?.spec.names.plural ?? findKind(sample.kind)?.plural;
  if (!plural)
    throw new Error(
      `--sample is a ${sample.apiVersion} ${sample.kind}, which no CRD in --crds ${options.crdDir} defines`,
    );
  return { name: sample.kind, kind: sample.kind, plural, count: options.count, object: render };
}

async function installPeerCrds(kube: KubeConfig, crds: Crd[]): Promise<void> {
  for (const crd of crds) await applyObject(kube, crd as unknown as KubeObject, 'customresourcedefinitions');
  await waitFor(
    async () => {
      for (const crd of crds) {
        const name = (crd as unknown as KubeObject).metadata.name;
        const found = await kubeRequest<{ status?: { conditions?: { type: string; status: string }[] } }>(
          kube,
          {
            method: 'GET',
            path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
          },
        );
        if (!found.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
          return undefined;
      }
      return true;
    },
    { what: "the peer's CRDs to be Established", timeoutMs: 60_000 },
  );
}

/** The peer binary with KUBECONFIG set to a ServiceAccount bound to cluster-admin, after its CRDs (replacing ours). */
export function peerOperator(options: PeerOptions): { system: System; workload: Workload } {
  const crds = crdsIn(options.crdDir);
  const workload = peerWorkload(options, crds);
  const account = 'h2h-operator';
  return {
    workload,
    system: {
      label: options.label,
      start: async (bed) => {
        await installPeerCrds(bed.kube, crds);
        const kubeconfig = await clusterAdminAccount(bed, account);
        const operator = ManagedProcess.start({
          name: 'peer-operator',
          binary: path.resolve(options.binary),
          args: options.args,
          logDir: bed.workDir,
          env: { KUBECONFIG: kubeconfig },
        });
        bed.defer(() => stopProcesses([operator.record]));
        await sleep(3_000); // a binary that fails at once (flags, kubeconfig) shows here
        operator.assertRunning();
        return {
          operator: {
            identity: { name: account, serviceAccounts: [{ name: account, namespace: SYSTEM_NAMESPACE }] },
            pids: [operator.record.pid],
          },
        };
      },
    },
  };
}
