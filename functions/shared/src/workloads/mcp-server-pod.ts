/**
 * The pod of an MCP server, shared by MCPGServer's Deployment and MCPGInstance's per-subject pods: image (with
 * registry override), entrypoint (stdio servers behind the bridge), environment, probes, and the hardening Pod
 * Security "restricted" asks for (opt-outs in spec.podSecurity). Pure: everything it needs comes in as arguments.
 */
import type { ServerSpec } from '../api/index.ts';

export const MCP_PORT_NAME = 'mcp';
const BRIDGE_DIR = '/mcpg-bridge';
const BRIDGE_BINARY = `${BRIDGE_DIR}/mcpg-stdio-bridge`;

/** The parts of a server spec a pod is made from (an instance's inline image fills in the rest). */
export type PodSource = Pick<
  ServerSpec,
  | 'image'
  | 'transport'
  | 'port'
  | 'path'
  | 'command'
  | 'args'
  | 'env'
  | 'envFrom'
  | 'envFromSecrets'
  | 'resources'
> &
  Partial<
    Pick<
      ServerSpec,
      'probes' | 'registryOverride' | 'serviceAccountName' | 'imagePullSecrets' | 'podSecurity'
    >
  >;

type Probe = NonNullable<NonNullable<ServerSpec['probes']>['liveness']>;

export const HARDENED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The containers' hardening, as Pod Security "restricted" asks, with the image read-only unless opted out. */
function containerSecurity(source: PodSource): Record<string, unknown> {
  return { ...HARDENED, readOnlyRootFilesystem: source.podSecurity?.readOnlyRootFilesystem ?? true };
}

function podSecurityContext(source: PodSource): Record<string, unknown> {
  const { runAsUser, runAsGroup, fsGroup } = source.podSecurity ?? {};
  return {
    runAsNonRoot: true,
    ...(runAsUser !== undefined ? { runAsUser } : {}),
    ...(runAsGroup !== undefined ? { runAsGroup } : {}),
    ...(fsGroup !== undefined ? { fsGroup } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Writable emptyDirs for /tmp and the server's own writable paths (the root filesystem is read-only). */
function writableDirs(source: PodSource): { volumes: object[]; mounts: object[] } {
  const paths = ['/tmp', ...(source.podSecurity?.writablePaths ?? []).filter((p) => p !== '/tmp')];
  return {
    volumes: paths.map((_, i) => ({ name: `writable-${i}`, emptyDir: {} })),
    mounts: paths.map((mountPath, i) => ({ name: `writable-${i}`, mountPath })),
  };
}

export function normalisePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** Rewrites an image reference to another registry, keeping repository path, tag and digest. */
export function withRegistry(image: string, registryOverride: string | undefined): string {
  if (!registryOverride) return image;
  const [first, ...rest] = image.split('/');
  // The first part names a registry when it looks like a host; otherwise the image lives on Docker Hub.
  const hasRegistry = rest.length > 0 && first !== undefined && /[.:]|^localhost$/.test(first);
  const path = hasRegistry ? rest.join('/') : rest.length > 0 ? image : `library/${image}`;
  return `${registryOverride.replace(/\/+$/, '')}/${path}`;
}

function probe(override: Probe | undefined, fallback: boolean): Record<string, unknown> | undefined {
  if (!override && !fallback) return undefined;
  const { path, ...timing } = override ?? {};
  const handler = path ? { httpGet: { path, port: MCP_PORT_NAME } } : { tcpSocket: { port: MCP_PORT_NAME } };
  return { ...handler, ...timing };
}

function probes(source: PodSource): Record<string, unknown> {
  const all = {
    readinessProbe: probe(source.probes?.readiness, true),
    livenessProbe: probe(source.probes?.liveness, false),
    startupProbe: probe(source.probes?.startup, false),
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

function environment(source: PodSource, extraSecrets: readonly string[]): Record<string, unknown> {
  const env = Object.entries(source.env ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, value }));
  const envFrom = [
    ...(source.envFrom ?? []).map((from) => ({
      ...(from.secretRef ? { secretRef: { name: from.secretRef.name } } : {}),
      ...(from.configMapRef ? { configMapRef: { name: from.configMapRef.name } } : {}),
      ...(from.prefix ? { prefix: from.prefix } : {}),
    })),
    ...[...(source.envFromSecrets ?? []), ...extraSecrets].map((name) => ({ secretRef: { name } })),
  ];
  return { ...(env.length ? { env } : {}), ...(envFrom.length ? { envFrom } : {}) };
}

/**
 * stdio servers run behind the bridge: it serves streamable HTTP on the MCP port and speaks stdio to the process,
 * which is spec.command and args, or the image's own (read from its config, see image-process.ts).
 */
function entrypoint(source: PodSource, imageProcess: ResolvedProcess | undefined): Record<string, unknown> {
  if (source.transport !== 'stdio') {
    return {
      ...(source.command ? { command: source.command } : {}),
      ...(source.args ? { args: source.args } : {}),
    };
  }
  const bridge = [BRIDGE_BINARY, '--port', String(source.port), '--path', normalisePath(source.path), '--'];
  const process = imageProcess?.command ?? [...(source.command ?? []), ...(source.args ?? [])];
  return { command: [...bridge, ...process] };
}

/** The image's own process and the digest-pinned image it was read from. */
export interface ResolvedProcess {
  command: string[];
  image: string;
}

export interface PodOptions {
  bridgeImage: string;
  /** For a stdio server without command: what its image runs (see image-process.ts). */
  imageProcess?: ResolvedProcess | undefined;
  /** Secrets added as envFrom after the source's own (an instance's subject credentials). */
  extraSecrets?: readonly string[];
}

/**
 * What a stdio server adds to its pod: the bridge copied by an init container into a volume the server
 * container mounts read-only. The bridge image holds the bridge alone (no shell, no cp): it copies itself.
 */
function bridgeParts(stdio: boolean, bridgeImage: string) {
  if (!stdio) return { initContainers: [], mounts: [], volumes: [] };
  const mount = { name: 'mcpg-bridge', mountPath: BRIDGE_DIR };
  return {
    initContainers: [
      {
        name: 'install-bridge',
        image: bridgeImage,
        command: ['/mcpg-stdio-bridge', 'install', BRIDGE_BINARY],
        volumeMounts: [mount],
        securityContext: { ...HARDENED, readOnlyRootFilesystem: true },
      },
    ],
    mounts: [{ ...mount, readOnly: true }],
    volumes: [{ name: 'mcpg-bridge', emptyDir: {} }],
  };
}

/** The pod spec (not the pod) of an MCP server. */
export function mcpServerPodSpec(source: PodSource, options: PodOptions): Record<string, unknown> {
  const writable = writableDirs(source);
  const bridge = bridgeParts(source.transport === 'stdio', options.bridgeImage);
  const container = {
    name: 'server',
    image: options.imageProcess?.image ?? withRegistry(source.image, source.registryOverride),
    ...entrypoint(source, options.imageProcess),
    ports: [{ name: MCP_PORT_NAME, containerPort: source.port, protocol: 'TCP' }],
    ...environment(source, options.extraSecrets ?? []),
    resources: source.resources,
    ...probes(source),
    volumeMounts: [...writable.mounts, ...bridge.mounts],
    securityContext: containerSecurity(source),
  };
  return {
    ...(source.serviceAccountName ? { serviceAccountName: source.serviceAccountName } : {}),
    automountServiceAccountToken: source.podSecurity?.automountServiceAccountToken ?? false,
    ...(source.imagePullSecrets ? { imagePullSecrets: source.imagePullSecrets } : {}),
    securityContext: podSecurityContext(source),
    ...(bridge.initContainers.length ? { initContainers: bridge.initContainers } : {}),
    containers: [container],
    volumes: [...writable.volumes, ...bridge.volumes],
  };
}

/** The Secrets and ConfigMaps a pod reads its environment from. */
export function environmentSources(
  source: PodSource,
  extraSecrets: readonly string[] = [],
): { kind: 'Secret' | 'ConfigMap'; name: string }[] {
  return [
    ...(source.envFrom ?? []).flatMap((s) => [
      ...(s.secretRef ? [{ kind: 'Secret' as const, name: s.secretRef.name }] : []),
      ...(s.configMapRef ? [{ kind: 'ConfigMap' as const, name: s.configMapRef.name }] : []),
    ]),
    ...[...(source.envFromSecrets ?? []), ...extraSecrets].map((name) => ({ kind: 'Secret' as const, name })),
  ];
}
