/**
 * The real node's configuration files, computed from a layout and nothing else (no I/O), so each setting that
 * mattered on this machine kind is stated once, with its reason.
 */
import { stringify } from 'yaml';
import { NODE_NETWORK } from './network.ts';

export interface NodeLayout {
  /** The node's folder inside the cluster's run folder: every file and all state of the node live here. */
  dir: string;
  nodeName: string;
  binDir: string;
  caFile: string;
  pauseImage: string;
  /** host:port of the bed's registry, pulled from over plain HTTP. */
  registryHost: string;
  ports: { kubelet: number; kubeletHealthz: number; proxyHealthz: number; proxyMetrics: number };
}

export const nodePaths = (dir: string) => ({
  containerdConfig: `${dir}/containerd/config.toml`,
  containerdRoot: `${dir}/containerd/root`,
  containerdState: `${dir}/containerd/state`,
  containerdTemp: `${dir}/containerd/tmp`,
  containerdSocket: `${dir}/containerd/containerd.sock`,
  // Shim sockets are named by a 64-character hash: this folder's path must stay short (sockets take ≤107 bytes).
  shimSockets: `${dir}/s`,
  certsDir: `${dir}/containerd/certs.d`,
  cniConfDir: `${dir}/cni/net.d`,
  cniIpamDir: `${dir}/cni/ipam`,
  kubeletConfig: `${dir}/kubelet/config.yaml`,
  kubeletRoot: `${dir}/kubelet/root`,
  kubeletKubeconfig: `${dir}/kubelet/kubeconfig`,
  podLogs: `${dir}/kubelet/pod-logs`,
  resolvConf: `${dir}/kubelet/resolv.conf`,
  proxyConfig: `${dir}/kube-proxy/config.yaml`,
  proxyKubeconfig: `${dir}/kube-proxy/kubeconfig`,
  corefile: `${dir}/coredns/Corefile`,
  corednsKubeconfig: `${dir}/coredns/kubeconfig`,
  logs: `${dir}/logs`,
});

const toml = (value: string) => JSON.stringify(value);

/** containerd 2 (config version 4): everything under the node's folder, nothing shared with a host containerd. */
export function containerdConfig(layout: NodeLayout): string {
  const p = nodePaths(layout.dir);
  const runtime = `plugins.'io.containerd.cri.v1.runtime'`;
  const images = `plugins.'io.containerd.cri.v1.images'`;
  return `version = 4
root = ${toml(p.containerdRoot)}
state = ${toml(p.containerdState)}
temp = ${toml(p.containerdTemp)}
# No drop-in files from /etc: this containerd is configured by this file alone.
imports = []
# NRI would open a socket under /var/run and opt would make /opt/containerd; nothing here uses either.
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.internal.v1.opt"]

[plugins.'io.containerd.server.v1.grpc']
  address = ${toml(p.containerdSocket)}

[plugins.'io.containerd.server.v1.ttrpc']
  address = ${toml(`${p.containerdSocket}.ttrpc`)}

[plugins.'io.containerd.shim.v1.manager']
  socket_dir = ${toml(p.shimSockets)}

[${runtime}]
  # A sandbox here lacks CAP_SYS_RESOURCE, so no one may lower an OOM score: without this every sandbox fails.
  restrict_oom_score_adj = true
  enable_selinux = false
  # Pod network namespaces are mounted in the node's folder, not in /run/netns.
  netns_mounts_under_state_dir = true

[${runtime}.containerd]
  default_runtime_name = "runc"

[${runtime}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${runtime}.containerd.runtimes.runc.options]
  BinaryName = "/usr/sbin/runc"
  SystemdCgroup = false

[${runtime}.cni]
  bin_dirs = ["/usr/lib/cni"]
  conf_dir = ${toml(p.cniConfDir)}

[${images}.pinned_images]
  sandbox = ${toml(layout.pauseImage)}

[${images}.registry]
  config_path = ${toml(p.certsDir)}

[plugins.'io.containerd.transfer.v1.local']
  config_path = ${toml(p.certsDir)}

[plugins.'io.containerd.grpc.v1.cri']
  # kubectl exec/logs/port-forward stream through this server: loopback only.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`;
}

/** certs.d entry that lets containerd pull from the bed's registry over plain HTTP. */
export function registryHostsToml(registryHost: string): string {
  return `server = "http://${registryHost}"

[host."http://${registryHost}"]
  capabilities = ["pull", "resolve"]
`;
}

export function kubeletConfig(layout: NodeLayout): string {
  const p = nodePaths(layout.dir);
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: '127.0.0.1',
    port: layout.ports.kubelet,
    healthzBindAddress: '127.0.0.1',
    healthzPort: layout.ports.kubeletHealthz,
    readOnlyPort: 0,
    // Only the API server (a client certificate from the cluster CA) may call the kubelet.
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: false },
      x509: { clientCAFile: layout.caFile },
    },
    authorization: { mode: 'AlwaysAllow' },
    cgroupDriver: 'cgroupfs',
    // This machine kind has a cgroup v1 hierarchy, which 1.36 refuses unless told.
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${p.containerdSocket}`,
    // Pods never see the machine's resolvers: names are answered by the node's CoreDNS only.
    resolvConf: p.resolvConf,
    clusterDomain: 'cluster.local',
    clusterDNS: [NODE_NETWORK.gateway],
    rotateCertificates: false,
    serverTLSBootstrap: false,
    podLogsDir: p.podLogs,
    // The Knative stack alone runs about 30 pods (14 of them event source adapters); the pod range is a /24.
    maxPods: 110,
    // A busy shared disk must not evict the bed's pods.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    registerWithTaints: [],
  });
}

export function kubeProxyConfig(layout: NodeLayout): string {
  const p = nodePaths(layout.dir);
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: p.proxyKubeconfig },
    mode: 'iptables',
    hostnameOverride: layout.nodeName,
    clusterCIDR: NODE_NETWORK.podCidr,
    bindAddress: '127.0.0.1',
    healthzBindAddress: `127.0.0.1:${layout.ports.proxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${layout.ports.proxyMetrics}`,
    // NodePorts only on the bridge, never on the machine's interfaces or loopback (route_localnet stays off).
    nodePortAddresses: [`${NODE_NETWORK.gateway}/32`],
    iptables: { localhostNodePorts: false, masqueradeAll: false },
    // Zero leaves the kernel's conntrack settings as they are.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

/** The bridge plugin without masquerading: pod packets keep their source and cannot pass as the machine's. */
export function cniConfig(layout: NodeLayout): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: NODE_NETWORK.cniNetwork,
      plugins: [
        {
          type: 'bridge',
          bridge: NODE_NETWORK.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: NODE_NETWORK.podCidr, gateway: NODE_NETWORK.gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: nodePaths(layout.dir).cniIpamDir,
          },
        },
      ],
    },
    null,
    2,
  );
}

/** CoreDNS answers the cluster's zones only; with no forwarder, a pod's lookup never leaves the machine. */
export function corefile(layout: NodeLayout): string {
  const p = nodePaths(layout.dir);
  return `.:53 {
    bind ${NODE_NETWORK.gateway}
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${p.corednsKubeconfig} mcpg-coredns
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
`;
}

/** The API access CoreDNS's kubernetes plugin needs, for the identity its certificate names. */
export const CORE_DNS_USER = 'mcpg:coredns';
export function coreDnsRbac(): Record<string, unknown>[] {
  const name = 'mcpg:coredns';
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [
        { apiGroups: [''], resources: ['services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: CORE_DNS_USER }],
    },
  ];
}
