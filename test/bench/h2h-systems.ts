/**
 * The systems the head-to-head benchmark can run: our bundled functions fed by Knative's adapter, each as the
 * ServiceAccount its generated manifests define, or any operator binary as a ServiceAccount bound to
 * cluster-admin; and the workloads (objects to create) each one is measured on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { wiring as gatewayWiring } from '@mcpg-functions/gateway/wiring';
import { wiring as serverWiring } from '@mcpg-functions/server/wiring';
import { findKind } from '@mcpg-functions/shared/api';
import { eventSources, sourceAccount, type FunctionWiring } from '@mcpg-functions/shared/knative';
import { kubeRequest, serverSideApply } from '@mcpg-functions/shared/kube';
import { bundle } from '../../hack/bundle.ts';
import { sourceAdapter, startAdapter, stopAdapter } from '../cluster/adapter.ts';
import { sendPing } from '../cluster/ping.ts';
import { ManagedProcess, stopProcesses } from '../cluster/processes.ts';
import type { ScriptBed } from '../cluster/script.ts';
import { waitFor } from '../cluster/wait.ts';
import {
  exampleResolved,
  gatewayIn,
  pluginSetIn,
  READY,
  setStatus,
} from '../integration/gateway/fixtures.ts';
import type { Clients } from '../integration/support/cluster.ts';
import { serviceAccountsFor, tokenKubeconfig } from '../integration/support/service-accounts.ts';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { AppsV1Api, ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Identity } from './api-accounting.ts';

/** Where the system under test runs (its ServiceAccounts) and where the workload's objects go. */
export const SYSTEM_NAMESPACE = 'h2h-system';
export const WORKLOAD_NAMESPACE = 'h2h';
const FIELD_MANAGER = 'mcpg-bench-h2h';

type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

export interface Workload {
  /** `servers`, `gateways`, or the peer sample's kind. */
  name: string;
  kind: string;
  plural: string;
  count: number;
  object: (name: string) => KubeObject;
  /** Objects the workload's objects depend on, created before the clock starts. */
  prepare?: (kube: KubeConfig) => Promise<void>;
}

export interface RunningSystem {
  /** The operator (or function) whose requests are the system's; its own processes. */
  operator: { identity: Identity; pids: number[] };
  /** Helpers that run beside it (the adapters), counted and measured apart. */
  helpers?: { identity: Identity; pids: number[] };
  /** A resync ping every `seconds`, when the system is resync-driven. */
  resync?: { seconds: number; send: () => Promise<unknown> };
}

export interface System {
  label: string;
  start: (bed: ScriptBed, workload: Workload) => Promise<RunningSystem>;
}

function clientsOf(bed: ScriptBed): Clients {
  const config = loadKubeConfig(bed.cluster.kubeconfig);
  return {
    config,
    kubeconfigPath: bed.cluster.kubeconfig,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    apiextensions: config.makeApiClient(ApiextensionsV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
}

export function applyObject(kube: KubeConfig, object: KubeObject, plural: string) {
  return serverSideApply(kube, object, { plural, fieldManager: FIELD_MANAGER });
}

// ---- our functions ----

export function serversWorkload(count: number): Workload {
  return {
    name: 'servers',
    kind: 'MCPGServer',
    plural: 'mcpgservers',
    count,
    object: (name) => ({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name, namespace: WORKLOAD_NAMESPACE },
      spec: { image: 'ghcr.io/example/tools:1', networkPolicy: { enabled: false } },
    }),
  };
}

export function gatewaysWorkload(count: number): Workload {
  return {
    name: 'gateways',
    kind: 'MCPGGateway',
    plural: 'mcpggateways',
    count,
    object: (name) =>
      gatewayIn(WORKLOAD_NAMESPACE, name, {
        autoscaling: undefined,
        replicas: 1,
        config: { gateway: { name } },
      }),
    prepare: async (kube) => {
      const set = pluginSetIn(WORKLOAD_NAMESPACE, 'production');
      await applyObject(kube, set, 'mcpgpluginsets');
      await setStatus(kube, set, { conditions: [READY], resolved: exampleResolved() });
    },
  };
}

const WIRINGS: Record<string, { folder: string; wiring: FunctionWiring; resyncSeconds?: number }> = {
  MCPGServer: { folder: 'server', wiring: serverWiring },
  // Gateway specs are noticed by the resync alone (see the gateway wiring); the deployed schedule is minutes.
  MCPGGateway: { folder: 'gateway', wiring: gatewayWiring, resyncSeconds: 10 },
};

async function resyncOnce(url: string): Promise<void> {
  const answer = await sendPing(url);
  if (!answer.ok) throw new Error(`the resync answered ${answer.status}`);
}

/** The workload's function, bundled as deployed, and one Knative adapter per ApiServerSource it declares. */
export function ourFunctions(): System {
  return {
    label: 'ours',
    start: async (bed, workload) => {
      const found = WIRINGS[workload.kind];
      if (!found) throw new Error(`no function of ours reconciles ${workload.kind}`);
      const { folder, wiring } = found;
      const accounts = await serviceAccountsFor(clientsOf(bed), wiring, SYSTEM_NAMESPACE, bed.workDir);
      const entry = await bundle(folder, path.join(bed.workDir, `${folder}-dist`));
      const fn = await bed.startFunction(folder, { entry, env: { KUBECONFIG: accounts.function } });
      const adapters: ManagedProcess[] = [];
      for (const source of eventSources(wiring)) {
        const kubeconfig = accounts.sources.get(source.name);
        if (!kubeconfig) throw new Error(`no ServiceAccount for the source ${source.name}`);
        const adapter = await startAdapter({
          ...sourceAdapter(source),
          name: source.name,
          kubeconfig,
          sink: `${fn.url}/`,
          allNamespaces: true,
          logDir: bed.workDir,
        });
        bed.defer(() => stopAdapter(adapter));
        adapters.push(adapter);
      }
      const interval = found.resyncSeconds;
      return {
        operator: {
          identity: {
            name: 'h2h-operator',
            serviceAccounts: [{ name: `mcpg-${wiring.name}`, namespace: SYSTEM_NAMESPACE }],
          },
          pids: [fn.process.record.pid],
        },
        helpers: {
          identity: {
            name: 'h2h-adapters',
            serviceAccounts: eventSources(wiring).map((s) => ({
              name: sourceAccount(s),
              namespace: SYSTEM_NAMESPACE,
            })),
          },
          pids: adapters.map((a) => a.record.pid),
        },
        ...(interval ? { resync: { seconds: interval, send: () => resyncOnce(fn.url) } } : {}),
      };
    },
  };
}

// ---- a peer operator ----

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
        const clients = clientsOf(bed);
        await installPeerCrds(bed.kube, crds);
        await kubeRequest(bed.kube, {
          method: 'POST',
          path: `/api/v1/namespaces/${SYSTEM_NAMESPACE}/serviceaccounts`,
          body: { metadata: { name: account } },
        });
        await kubeRequest(bed.kube, {
          method: 'POST',
          path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
          body: {
            metadata: { name: account },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
            subjects: [{ kind: 'ServiceAccount', name: account, namespace: SYSTEM_NAMESPACE }],
          },
        });
        const kubeconfig = await tokenKubeconfig(clients, SYSTEM_NAMESPACE, account, bed.workDir);
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

/** Calls `tick` every `seconds` until the returned stop is called (errors are counted, not thrown). */
export function every(
  seconds: number,
  tick: () => Promise<unknown>,
): { stop: () => void; failures: () => number } {
  let failures = 0;
  const timer = setInterval(() => {
    tick().catch(() => (failures += 1));
  }, seconds * 1000);
  return {
    stop: () => {
      clearInterval(timer);
    },
    failures: () => failures,
  };
}
