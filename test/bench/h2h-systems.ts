/**
 * What the head-to-head benchmark runs: our bundled functions fed by Knative's adapters, each as the
 * ServiceAccount its generated manifests define (a peer operator is in h2h-peer.ts), and the workloads (objects to
 * create) each system is measured on.
 */
import path from 'node:path';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { wiring as gatewayWiring } from '@mcpg-functions/gateway/wiring';
import { wiring as serverWiring } from '@mcpg-functions/server/wiring';
import { eventSources, sourceAccount, type FunctionWiring } from '@mcpg-functions/shared/knative';
import { kubeRequest, serverSideApply } from '@mcpg-functions/shared/kube';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { bundle } from '../../hack/bundle.ts';
import { sourceAdapter, startAdapter, stopAdapter } from '../cluster/adapter.ts';
import { sendPing } from '../cluster/ping.ts';
import type { ManagedProcess } from '../cluster/processes.ts';
import type { ScriptBed } from '../cluster/script.ts';
import {
  exampleResolved,
  gatewayIn,
  pluginSetIn,
  READY,
  setStatus,
} from '../integration/gateway/fixtures.ts';
import type { Clients } from '../integration/support/cluster.ts';
import { serviceAccountsFor, tokenKubeconfig } from '../integration/support/service-accounts.ts';
import type { Identity } from './api-accounting.ts';

/** Where the system under test runs (its ServiceAccounts) and where the workload's objects go. */
export const SYSTEM_NAMESPACE = 'h2h-system';
export const WORKLOAD_NAMESPACE = 'h2h';
const FIELD_MANAGER = 'mcpg-bench-h2h';

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

export interface Workload {
  /** `servers`, `gateways`, or the peer sample's kind. */
  name: string;
  kind: string;
  plural: string;
  count: number;
  object: (name: string) => KubeObject;
  /** Objects the workload's objects depend on, created before the clock starts. */
  prepare?: (kube: KubeConfig) => Promise<void>;
  /** When one of the objects counts as ready; by default its phase is Running or Ready, or its Ready condition True. */
  isReady?: (object: Conditioned) => boolean;
}

export type Conditioned = {
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
};

export const isAvailable = (d: Conditioned) =>
  (d.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');

export interface RunningSystem {
  /** The operator (or function) whose requests are the system's; the processes it started (group leaders). */
  operator: { identity: Identity; pids: number[] };
  /** Helpers that run beside it (the adapters), counted and measured apart. */
  helpers?: { identity: Identity; pids: number[] };
  /** The client that creates the workload's objects, when the system is that client (the floor); else the administrator. */
  creator?: KubeConfig;
  /** A resync ping every `seconds`, when the system is resync-driven. */
  resync?: { seconds: number; send: () => Promise<unknown> };
}

export interface System {
  label: string;
  start: (bed: ScriptBed, workload: Workload) => Promise<RunningSystem>;
}

export function clientsOf(bed: ScriptBed): Clients {
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

/** A ServiceAccount of the system's namespace bound to cluster-admin; the path of a kubeconfig with its token. */
export async function clusterAdminAccount(bed: ScriptBed, account: string): Promise<string> {
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
  return tokenKubeconfig(clientsOf(bed), SYSTEM_NAMESPACE, account, bed.workDir);
}

export function applyObject(kube: KubeConfig, object: KubeObject, plural: string) {
  return serverSideApply(kube, object, { plural, fieldManager: FIELD_MANAGER });
}

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
      const fn = await bed.startFunction(folder, {
        entry,
        env: {
          KUBECONFIG: accounts.function,
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
          // Replaces the images' NODE_OPTIONS, to profile the function (`--cpu-prof`) or weigh another setting.
          ...(process.env.H2H_FUNCTION_NODE_OPTIONS
            ? { NODE_OPTIONS: process.env.H2H_FUNCTION_NODE_OPTIONS }
            : {}),
        },
      });
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
