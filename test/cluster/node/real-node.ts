/**
 * A real node beside kwok's fake one: containerd (runc, the CNI bridge), the kubelet, kube-proxy and CoreDNS as
 * processes of the test bed, a local registry holding the pause image, and the containment rules that keep every
 * pod packet on this machine. Everything it changes on the machine is recorded first and undone by `stopRealNode`,
 * which a failed start calls too, so a start either completes or leaves nothing behind.
 */
import { cpSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { serverSideApply } from '@mcpg-functions/shared/kube';
import { pushImage } from '../../../images/builder/oci.ts';
import { buildPauseImage } from '../../../images/builder/pause.ts';
import { startRegistry } from '../../registry/registry.ts';
import type { ControlPlaneState } from '../control-plane.ts';
import { writeKubeconfig } from '../kubeconfig.ts';
import { Pki } from '../pki.ts';
import { freePort } from '../ports.ts';
import { ManagedProcess, type ProcessRecord } from '../processes.ts';
import { toolPath, toolsBinDir } from '../tools.ts';
import { stateDir } from '../state.ts';
import { waitFor } from '../wait.ts';
import { TestBedError } from '../errors.ts';
import {
  containerdConfig,
  CORE_DNS_USER,
  coreDnsRbac,
  corefile,
  cniConfig,
  kubeletConfig,
  kubeProxyConfig,
  nodePaths,
  registryHostsToml,
  type NodeLayout,
} from './configs.ts';
import { tryCommand } from './command.ts';
import { preflight } from './preflight.ts';
import { recordSysctls, WATCHED_PATHS } from './host.ts';
import { listTree } from './cleanup.ts';
import { addBridge, addContainment, NODE_NETWORK } from './network.ts';
import { forwarderArgs, publishApiServerToPods } from './apiserver-for-pods.ts';
import { stopRealNode } from './stop.ts';
import { taintFakeNode } from './fake-node.ts';

/** What `stopRealNode` needs to undo a real node, however far its start got. */
export interface RealNodeState {
  dir: string;
  nodeName: string;
  binDir: string;
  kubeconfig: string;
  /** Kernel settings as they were before the node started. */
  sysctls: Record<string, string | null>;
  /** What existed under the kubelet's, containerd's and CNI's default paths before the node started. */
  watchedPaths: string[];
  /** The bed's registry (pods pull from it; `make images` pushes to it). */
  registry?: { host: string; dir: string; process: ProcessRecord };
  /** In start order; stopped in reverse. */
  processes: ProcessRecord[];
  /** Set once the bridge and the packet rules exist. */
  network: boolean;
  pauseImage?: string;
}

export interface RealNodeOptions {
  onProgress?: (line: string) => void;
  /** Called whenever the state grows, so an interrupted start can still be undone by `make cluster-down`. */
  onState?: (state: RealNodeState) => void;
}

export async function startRealNode(
  cluster: ControlPlaneState,
  options: RealNodeOptions = {},
): Promise<RealNodeState> {
  const say = options.onProgress ?? (() => undefined);
  const binDir = toolsBinDir();
  await preflight(binDir);
  const state: RealNodeState = {
    dir: path.join(cluster.runDir, 'node'),
    nodeName: os.hostname(),
    binDir,
    kubeconfig: cluster.kubeconfig,
    sysctls: recordSysctls(),
    watchedPaths: listTree(WATCHED_PATHS),
    processes: [],
    network: false,
  };
  const record = () => options.onState?.(state);
  record();
  try {
    await bringUp(cluster, state, say, record);
    return state;
  } catch (error) {
    say('start failed: undoing what was set up');
    const logs = keepLogs(state);
    await stopRealNode(state);
    throw error instanceof TestBedError && error.log?.startsWith(state.dir)
      ? new TestBedError(error.message, {
          log: path.join(logs, path.relative(nodePaths(state.dir).logs, error.log)),
          fix: error.fix,
          cause: error,
        })
      : error;
  }
}

/** The logs of a failed start outlive the undo (which removes the node's folder): copied to the state folder. */
function keepLogs(state: RealNodeState): string {
  const kept = path.join(stateDir, 'failed-real-node-logs');
  rmSync(kept, { recursive: true, force: true });
  cpSync(nodePaths(state.dir).logs, kept, { recursive: true });
  return kept;
}

async function bringUp(
  cluster: ControlPlaneState,
  state: RealNodeState,
  say: (line: string) => void,
  record: () => void,
): Promise<void> {
  const paths = nodePaths(state.dir);
  await mkdir(paths.logs, { recursive: true });
  const registry = await startRegistry({ logDir: paths.logs, name: 'node-registry' });
  state.registry = { host: registry.host, dir: registry.dir, process: registry.process.record };
  record();
  const pause = await buildPauseImage({ 'org.opencontainers.image.title': 'pause' });
  const target = { crane: toolPath('crane', state.binDir), insecure: true };
  const digest = await pushImage(target, `${registry.host}/mcpg/pause:bed`, pause);
  state.pauseImage = `${registry.host}/mcpg/pause@${digest}`;
  say(`registry on ${registry.host}; pause image pushed`);
  const layout = await writeConfigs(cluster, state);
  await addBridge();
  state.network = true;
  record();
  await addContainment();
  say(`bridge ${NODE_NETWORK.bridge} on ${NODE_NETWORK.podCidr}; packets kept on this machine`);
  const processes = new Processes(state, record);
  await startContainerd(layout, processes);
  say('containerd ready');
  await startCoreDns(cluster, layout, processes);
  say(`CoreDNS answers on ${NODE_NETWORK.gateway}:53`);
  processes.start('kube-proxy', [`--config=${paths.proxyConfig}`, `--hostname-override=${state.nodeName}`]);
  processes.start('kubelet', [
    `--config=${paths.kubeletConfig}`,
    `--kubeconfig=${paths.kubeletKubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--hostname-override=${state.nodeName}`,
    // The pods' gateway: the node's address as pods see it, and never one of the machine's own interfaces.
    `--node-ip=${NODE_NETWORK.gateway}`,
  ]);
  await waitForNodeReady(cluster, state, processes);
  await taintFakeNode(cluster.kubeconfig, true);
  say(`node ${state.nodeName} Ready`);
  processes.startProgram('apiserver-forwarder', '/usr/bin/socat', forwarderArgs(cluster.server));
  await publishApiServerToPods(cluster);
  say(`pods reach the API server through kubernetes.default (${NODE_NETWORK.gateway})`);
}

/** Starts node processes and records each at once. */
class Processes {
  readonly started: ManagedProcess[] = [];
  private readonly state: RealNodeState;
  private readonly record: () => void;

  constructor(state: RealNodeState, record: () => void) {
    this.state = state;
    this.record = record;
  }

  start(name: 'containerd' | 'coredns' | 'kube-proxy' | 'kubelet', args: string[]): ManagedProcess {
    return this.startProgram(name, toolPath(name, this.state.binDir), args);
  }

  /** A program by path, such as Debian's socat. */
  startProgram(name: string, binary: string, args: string[]): ManagedProcess {
    const managed = ManagedProcess.start({
      name,
      binary,
      args,
      logDir: nodePaths(this.state.dir).logs,
      env: { PATH: `${this.state.binDir}:/usr/sbin:/usr/bin:/sbin:/bin` },
    });
    this.started.push(managed);
    this.state.processes.push(managed.record);
    this.record();
    return managed;
  }

  logOf(name: string): string | undefined {
    return this.started.find((p) => p.record.name === name)?.record.log;
  }
}

async function writeConfigs(cluster: ControlPlaneState, state: RealNodeState): Promise<NodeLayout> {
  const paths = nodePaths(state.dir);
  const layout: NodeLayout = {
    dir: state.dir,
    nodeName: state.nodeName,
    binDir: state.binDir,
    caFile: cluster.caFile,
    pauseImage: state.pauseImage ?? '',
    registryHost: state.registry?.host ?? '',
    ports: {
      kubelet: await freePort(),
      kubeletHealthz: await freePort(),
      proxyHealthz: await freePort(),
      proxyMetrics: await freePort(),
    },
  };
  for (const file of Object.values(paths)) await mkdir(path.dirname(file), { recursive: true });
  await mkdir(path.join(paths.certsDir, layout.registryHost), { recursive: true });
  await mkdir(paths.cniConfDir, { recursive: true });
  await writeFile(paths.containerdConfig, containerdConfig(layout));
  await writeFile(
    path.join(paths.certsDir, layout.registryHost, 'hosts.toml'),
    registryHostsToml(layout.registryHost),
  );
  await writeFile(path.join(paths.cniConfDir, '10-mcpg-node.conflist'), cniConfig(layout));
  await writeFile(paths.kubeletConfig, kubeletConfig(layout));
  await writeFile(paths.resolvConf, "# pods resolve through the node's CoreDNS only\n");
  await writeFile(paths.proxyConfig, kubeProxyConfig(layout));
  await writeFile(paths.corefile, corefile(layout));
  await writeIdentities(cluster, state);
  return layout;
}

/** Client certificates from the cluster CA: the node (Node authorizer), kube-proxy and CoreDNS. */
async function writeIdentities(cluster: ControlPlaneState, state: RealNodeState): Promise<void> {
  const paths = nodePaths(state.dir);
  const pki = Pki.open(path.join(cluster.runDir, 'pki'));
  const identities = [
    {
      name: 'node',
      subject: `/O=system:nodes/CN=system:node:${state.nodeName}`,
      file: paths.kubeletKubeconfig,
    },
    { name: 'kube-proxy', subject: '/CN=system:kube-proxy', file: paths.proxyKubeconfig },
    { name: 'coredns', subject: `/CN=${CORE_DNS_USER}`, file: paths.corednsKubeconfig },
  ];
  for (const identity of identities) {
    const client = await pki.issue({ name: identity.name, subject: identity.subject, usage: 'clientAuth' });
    await writeKubeconfig(identity.file, {
      server: cluster.server,
      caFile: cluster.caFile,
      client,
      name: `mcpg-${identity.name}`,
    });
  }
}

async function startContainerd(layout: NodeLayout, processes: Processes): Promise<void> {
  const paths = nodePaths(layout.dir);
  const containerd = processes.start('containerd', ['--config', paths.containerdConfig]);
  const ctr = toolPath('ctr', layout.binDir);
  await waitFor(
    async () =>
      (await tryCommand(ctr, ['--address', paths.containerdSocket, 'version'])) ? true : undefined,
    {
      what: 'containerd to answer on its socket',
      timeoutMs: 60_000,
      watch: [containerd],
      log: containerd.record.log,
    },
  );
}

async function startCoreDns(
  cluster: ControlPlaneState,
  layout: NodeLayout,
  processes: Processes,
): Promise<void> {
  const kube = loadKubeConfig(cluster.kubeconfig);
  for (const object of coreDnsRbac() as { apiVersion: string; kind: string; metadata: { name: string } }[]) {
    const plural = object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings';
    await serverSideApply(kube, object, { plural, fieldManager: 'mcpg-functions/test-bed' });
  }
  const coredns = processes.start('coredns', ['-conf', nodePaths(layout.dir).corefile]);
  await waitFor(() => resolveInCluster('kubernetes.default.svc.cluster.local'), {
    what: `CoreDNS to answer kubernetes.default.svc.cluster.local on ${NODE_NETWORK.gateway}:53`,
    timeoutMs: 60_000,
    watch: [coredns],
    log: coredns.record.log,
  });
}

/** Asks the node's CoreDNS, as a pod would; undefined until it answers. */
export async function resolveInCluster(name: string): Promise<string[] | undefined> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([NODE_NETWORK.gateway]);
  const addresses = await resolver.resolve4(name);
  return addresses.length > 0 ? addresses : undefined;
}

async function waitForNodeReady(cluster: ControlPlaneState, state: RealNodeState, processes: Processes) {
  const core = loadKubeConfig(cluster.kubeconfig).makeApiClient(CoreV1Api);
  await waitFor(
    async () => {
      const node = await core.readNode({ name: state.nodeName });
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? true
        : undefined;
    },
    {
      what: `node ${state.nodeName} to become Ready (kubelet)`,
      timeoutMs: 120_000,
      watch: processes.started,
      log: processes.logOf('kubelet'),
    },
  );
}

export { stopRealNode };
