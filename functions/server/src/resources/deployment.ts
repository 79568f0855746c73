import { childLabels, controllerReference } from '@mcpg-functions/shared/runtime';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { BuildArgs, ServerObject } from '../types.ts';
import { withRegistry } from './image.ts';
import { childName, MCP_PORT_NAME, normalisePath, podSelector } from './names.ts';

export const ENV_HASH_ANNOTATION = 'mcpg.dev/env-hash';
const BRIDGE_DIR = '/mcpg-bridge';
const BRIDGE_BINARY = `${BRIDGE_DIR}/mcpg-stdio-bridge`;

type Spec = ServerObject['spec'];
type Probe = NonNullable<NonNullable<Spec['probes']>['liveness']>;

function probe(override: Probe | undefined, fallback: boolean): Record<string, unknown> | undefined {
  if (!override && !fallback) return undefined;
  const { path, ...timing } = override ?? {};
  const handler = path ? { httpGet: { path, port: MCP_PORT_NAME } } : { tcpSocket: { port: MCP_PORT_NAME } };
  return { ...handler, ...timing };
}

function environment(spec: Spec): Record<string, unknown> {
  const env = Object.entries(spec.env ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, value }));
  const envFrom = [
    ...(spec.envFrom ?? []).map((source) => ({
      ...(source.secretRef ? { secretRef: { name: source.secretRef.name } } : {}),
      ...(source.configMapRef ? { configMapRef: { name: source.configMapRef.name } } : {}),
      ...(source.prefix ? { prefix: source.prefix } : {}),
    })),
    ...(spec.envFromSecrets ?? []).map((name) => ({ secretRef: { name } })),
  ];
  return { ...(env.length ? { env } : {}), ...(envFrom.length ? { envFrom } : {}) };
}

/** stdio servers run behind the bridge: it serves streamable HTTP on the MCP port and speaks stdio to the process. */
function entrypoint(spec: Spec): Record<string, unknown> {
  if (spec.transport !== 'stdio') {
    return { ...(spec.command ? { command: spec.command } : {}), ...(spec.args ? { args: spec.args } : {}) };
  }
  const bridge = [BRIDGE_BINARY, '--port', String(spec.port), '--path', normalisePath(spec.path), '--'];
  return { command: [...bridge, ...(spec.command ?? []), ...(spec.args ?? [])] };
}

function bridgeParts(spec: Spec, bridgeImage: string): Record<string, unknown> {
  if (spec.transport !== 'stdio') return {};
  return {
    initContainers: [
      {
        name: 'install-bridge',
        image: bridgeImage,
        command: ['cp', '/mcpg-stdio-bridge', BRIDGE_BINARY],
        volumeMounts: [{ name: 'mcpg-bridge', mountPath: BRIDGE_DIR }],
        securityContext: hardened,
      },
    ],
    volumes: [{ name: 'mcpg-bridge', emptyDir: {} }],
  };
}

const hardened = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export function makeDeployment(server: ServerObject, args: BuildArgs): KubeObject {
  const { spec } = server;
  const stdio = spec.transport === 'stdio';
  const container = {
    name: 'server',
    image: withRegistry(spec.image, spec.registryOverride),
    ...entrypoint(spec),
    ports: [{ name: MCP_PORT_NAME, containerPort: spec.port, protocol: 'TCP' }],
    ...environment(spec),
    resources: spec.resources,
    ...withProbes(spec),
    ...(stdio ? { volumeMounts: [{ name: 'mcpg-bridge', mountPath: BRIDGE_DIR, readOnly: true }] } : {}),
    securityContext: hardened,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: childName(server.metadata.name),
      namespace: server.metadata.namespace,
      labels: childLabels(server, 'server'),
      ownerReferences: [controllerReference(server)],
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: podSelector(server.metadata.name) },
      template: {
        metadata: {
          labels: childLabels(server, 'server'),
          annotations: { [ENV_HASH_ANNOTATION]: args.envHash },
        },
        spec: {
          ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
          ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
          ...bridgeParts(spec, args.bridgeImage),
          containers: [container],
        },
      },
    },
  };
}

function withProbes(spec: Spec): Record<string, unknown> {
  const probes = {
    readinessProbe: probe(spec.probes?.readiness, true),
    livenessProbe: probe(spec.probes?.liveness, false),
    startupProbe: probe(spec.probes?.startup, false),
  };
  return Object.fromEntries(Object.entries(probes).filter(([, value]) => value !== undefined));
}
