import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { isNotFound } from '@mcpg-functions/shared/kube';
import { httpsGet } from './https-probe.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { Pki, type CertFiles } from './pki.ts';
import { freePort, portFromEnv } from './ports.ts';
import { ManagedProcess, stopProcesses, type ProcessRecord } from './processes.ts';
import { kwokStagesPath, toolPath, toolsBinDir } from './tools.ts';
import { waitFor } from './wait.ts';

/** The fake node kwok manages; Deployments schedule onto it and KWOK marks their pods Ready. */
export const NODE_NAME = 'kwok-node-0';
/** kwok manages only nodes carrying this annotation, so a real node beside it is left to its kubelet. */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

/** What a running control plane leaves behind for tests and for `make cluster-down`. */
export interface ControlPlaneState {
  runDir: string;
  kubeconfig: string;
  server: string;
  /** In start order; stopped in reverse. */
  processes: ProcessRecord[];
  /** The CA that signed the API server's certificate (tests trust it). */
  caFile: string;
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

interface Layout {
  runDir: string;
  logDir: string;
  binDir: string;
  pki: Pki;
  admin: CertFiles;
  apiserverCert: CertFiles;
  /** The API server's identity towards kubelets (logs, exec) when a real node joins. */
  kubeletClient: CertFiles;
  serviceAccountKey: { privateKey: string; publicKey: string };
  kubeconfig: string;
  ports: Ports;
}

export interface StartOptions {
  /** Parent of the per-run folder (default: the OS temp dir). */
  parentDir?: string;
  /** Called with one line per step, for progress output. */
  onProgress?: (line: string) => void;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on loopback with fresh
 * PKI in a new temporary folder, and waits until a node is Ready and the `default` ServiceAccount exists.
 * On any failure everything started so far is stopped again.
 */
export async function startControlPlane(options: StartOptions = {}): Promise<ControlPlaneState> {
  const say = options.onProgress ?? (() => undefined);
  const runDir = await mkdtemp(path.join(options.parentDir ?? os.tmpdir(), 'mcpg-cluster-'));
  const started: ManagedProcess[] = [];
  try {
    const layout = await prepare(runDir);
    say(`run folder ${runDir}`);
    await startEtcd(layout, started);
    say(`etcd ready on 127.0.0.1:${layout.ports.etcdClient}`);
    await startApiServer(layout, started);
    say(`kube-apiserver ready on https://127.0.0.1:${layout.ports.apiserver}`);
    startControllers(layout, started);
    await waitForNodeAndServiceAccount(layout, started);
    say(`node ${NODE_NAME} Ready; ServiceAccount default/default exists`);
    return {
      runDir,
      kubeconfig: layout.kubeconfig,
      server: `https://127.0.0.1:${layout.ports.apiserver}`,
      processes: started.map((p) => p.record),
      caFile: layout.pki.ca.cert,
    };
  } catch (error) {
    await stopProcesses(started.map((p) => p.record).reverse());
    throw error;
  }
}

/** Stops every process of the control plane (reverse start order) and removes its run folder. */
export async function stopControlPlane(state: ControlPlaneState, keepRunDir = false): Promise<void> {
  await stopProcesses([...state.processes].reverse());
  if (!keepRunDir) await rm(state.runDir, { recursive: true, force: true });
}

async function prepare(runDir: string): Promise<Layout> {
  const binDir = toolsBinDir();
  const logDir = path.join(runDir, 'logs');
  await mkdir(logDir, { recursive: true });
  await mkdir(path.join(runDir, 'pki'), { recursive: true });
  const pki = await Pki.create(path.join(runDir, 'pki'), 'mcpg-cluster-ca');
  const apiserverCert = await pki.issue({
    name: 'apiserver',
    subject: '/CN=kube-apiserver',
    usage: 'serverAuth',
    // The Service address and names in-cluster clients dial, for pods on a real node (node/apiserver-for-pods.ts).
    altNames: [
      'IP:127.0.0.1',
      'DNS:localhost',
      'IP:10.96.0.1',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
    ],
  });
  const admin = await pki.issue({
    name: 'admin',
    subject: '/O=system:masters/CN=admin',
    usage: 'clientAuth',
  });
  const kubeletClient = await pki.issue({
    name: 'apiserver-kubelet-client',
    subject: '/O=system:masters/CN=kube-apiserver-kubelet-client',
    usage: 'clientAuth',
  });
  const serviceAccountKey = await pki.keyPair('service-account');
  const ports: Ports = {
    apiserver: await portFromEnv('MCPG_APISERVER_PORT'),
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
    kwok: await freePort(),
  };
  const kubeconfig = path.join(runDir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, {
    server: `https://127.0.0.1:${ports.apiserver}`,
    caFile: pki.ca.cert,
    client: admin,
    name: 'mcpg-local',
  });
  return {
    runDir,
    logDir,
    binDir,
    pki,
    admin,
    apiserverCert,
    kubeletClient,
    serviceAccountKey,
    kubeconfig,
    ports,
  };
}

function start(
  layout: Layout,
  started: ManagedProcess[],
  name: Parameters<typeof toolPath>[0],
  args: string[],
) {
  const process = ManagedProcess.start({
    name,
    binary: toolPath(name, layout.binDir),
    args,
    logDir: layout.logDir,
  });
  started.push(process);
  return process;
}

async function startEtcd(layout: Layout, started: ManagedProcess[]): Promise<void> {
  const client = `http://127.0.0.1:${layout.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${layout.ports.etcdPeer}`;
  const etcd = start(layout, started, 'etcd', [
    `--data-dir=${path.join(layout.runDir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // Test data is thrown away after the run; fsync only costs time.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitFor(
    async () => {
      const response = await fetch(`${client}/health`);
      const body = (await response.json()) as { health?: string };
      return body.health === 'true' ? true : undefined;
    },
    { what: 'etcd /health', timeoutMs: 30_000, watch: [etcd], log: etcd.record.log },
  );
}

async function startApiServer(layout: Layout, started: ManagedProcess[]): Promise<void> {
  const { ports, pki } = layout;
  const apiserver = start(layout, started, 'kube-apiserver', [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${path.join(layout.runDir, 'apiserver')}`,
    `--tls-cert-file=${layout.apiserverCert.cert}`,
    `--tls-private-key-file=${layout.apiserverCert.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    `--kubelet-client-certificate=${layout.kubeletClient.cert}`,
    `--kubelet-client-key=${layout.kubeletClient.key}`,
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${layout.serviceAccountKey.publicKey}`,
    `--service-account-signing-key-file=${layout.serviceAccountKey.privateKey}`,
    // No kube-proxy or real endpoints here: skip the endpoint reconciler's loopback complaints.
    '--endpoint-reconciler-type=none',
  ]);
  await waitFor(
    async () => {
      const response = await httpsGet(`https://127.0.0.1:${ports.apiserver}/readyz`, {
        ca: pki.ca.cert,
        client: layout.admin,
      });
      return response.status === 200 ? true : undefined;
    },
    { what: 'kube-apiserver /readyz', timeoutMs: 120_000, watch: [apiserver], log: apiserver.record.log },
  );
}

function startControllers(layout: Layout, started: ManagedProcess[]): void {
  const { kubeconfig, ports } = layout;
  const healthPaths = '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics';
  start(layout, started, 'kube-controller-manager', [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    '--leader-elect=false',
    `--root-ca-file=${layout.pki.ca.cert}`,
    `--service-account-private-key-file=${layout.serviceAccountKey.privateKey}`,
    '--use-service-account-credentials=true',
    healthPaths,
  ]);
  start(layout, started, 'kube-scheduler', [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    '--leader-elect=false',
    healthPaths,
  ]);
  start(layout, started, 'kwok', [
    `--kubeconfig=${kubeconfig}`,
    `--config=${kwokStagesPath(layout.binDir)}`,
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
    '--node-lease-duration-seconds=40',
    // Pod IPs outside the service range; the node keeps kwok's default (non-loopback) address,
    // because EndpointSlices refuse loopback addresses.
    '--cidr=10.244.0.0/16',
    `--server-address=127.0.0.1:${ports.kwok}`,
  ]);
}

async function waitForNodeAndServiceAccount(layout: Layout, started: ManagedProcess[]): Promise<void> {
  const core = loadKubeConfig(layout.kubeconfig).makeApiClient(CoreV1Api);
  await waitFor(() => ensureNode(core), {
    what: 'the node object to be created',
    timeoutMs: 30_000,
    watch: started,
  });
  await waitFor(
    async () => {
      const node = await core.readNode({ name: NODE_NAME });
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? true
        : undefined;
    },
    {
      what: `node ${NODE_NAME} to become Ready (kwok)`,
      timeoutMs: 60_000,
      watch: started,
      log: logOf(started, 'kwok'),
    },
  );
  await waitFor(
    async () => {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
      return true;
    },
    {
      what: 'ServiceAccount default/default (kube-controller-manager)',
      timeoutMs: 60_000,
      watch: started,
      log: logOf(started, 'kube-controller-manager'),
    },
  );
}

async function ensureNode(core: CoreV1Api): Promise<true> {
  try {
    await core.readNode({ name: NODE_NAME });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // kwok fills in status, capacity and addresses; the object only needs a name and kwok's annotation.
    await core.createNode({
      body: {
        metadata: {
          name: NODE_NAME,
          labels: { 'kubernetes.io/hostname': NODE_NAME },
          annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value },
        },
      },
    });
  }
  return true;
}

function logOf(started: readonly ManagedProcess[], name: string): string | undefined {
  return started.find((p) => p.record.name === name)?.record.log;
}
