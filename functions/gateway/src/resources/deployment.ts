import type { GatewaySpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childLabels, childMetadata } from '@mcpg-functions/shared/runtime';
import { HARDENED } from '@mcpg-functions/shared/workloads';
import { CONFIG_FILE, CREDENTIALS_DIR, REVOCATIONS_DIR } from '../config/render.ts';
import type { GatewayObject, GatewayInputs } from '../types.ts';
import { COMPONENT, CONFIG_KEYS, HASH_ANNOTATIONS, HTTP_PORT_NAME, names, podSelector } from './names.ts';
import { replicaRange } from './availability.ts';
import { pluginMounts } from './plugin-delivery.ts';
import { servicePort } from './service.ts';

/** Content hashes that roll the pods when what they read changes. */
export interface PodHashes {
  config: string;
  plugins: string;
  revocations?: string | undefined;
  credentials?: string | undefined;
}

const DEFAULT_RESOURCES = {
  requests: { cpu: '200m', memory: '256Mi' },
  limits: { cpu: '1', memory: '1Gi' },
};

const RESERVED_LABEL_PREFIXES = ['app.kubernetes.io/', 'mcpg.dev/'];

type ProbeOverride = NonNullable<NonNullable<GatewaySpec['probes']>['liveness']>;

function probe(
  defaults: { path: string } & Record<string, number | string>,
  override: ProbeOverride | undefined,
) {
  const { path, ...timing } = { ...defaults, ...override };
  return { httpGet: { path, port: HTTP_PORT_NAME }, ...timing };
}

function probes(spec: GatewaySpec): Record<string, unknown> {
  const base = { timeoutSeconds: 3, failureThreshold: 3 };
  return {
    livenessProbe: probe(
      { path: '/health', initialDelaySeconds: 5, periodSeconds: 15, ...base },
      spec.probes?.liveness,
    ),
    readinessProbe: probe(
      { path: '/ready', initialDelaySeconds: 3, periodSeconds: 10, ...base },
      spec.probes?.readiness,
    ),
    startupProbe: probe(
      { path: '/health', initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 12 },
      spec.probes?.startup,
    ),
  };
}

/** User pod labels, minus keys the operator owns (they would break selection or ownership). */
export function userPodLabels(spec: GatewaySpec): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec.podLabels ?? {}).filter(
      ([key]) => !RESERVED_LABEL_PREFIXES.some((p) => key.startsWith(p)),
    ),
  );
}

function podLabels(gateway: GatewayObject): Record<string, string> {
  const azure: Record<string, string> = gateway.spec.workloadIdentity?.azure
    ? { 'azure.workload.identity/use': 'true' }
    : {};
  return { ...userPodLabels(gateway.spec), ...azure, ...childLabels(gateway, COMPONENT) };
}

function podAnnotations(gateway: GatewayObject, hashes: PodHashes): Record<string, string> {
  return {
    ...gateway.spec.podAnnotations,
    [HASH_ANNOTATIONS.config]: hashes.config,
    [HASH_ANNOTATIONS.plugins]: hashes.plugins,
    ...(hashes.revocations ? { [HASH_ANNOTATIONS.revocations]: hashes.revocations } : {}),
    ...(hashes.credentials ? { [HASH_ANNOTATIONS.credentials]: hashes.credentials } : {}),
  };
}

function image(gateway: GatewayObject, inputs: GatewayInputs): string {
  const repository = gateway.spec.image?.repository ?? inputs.settings.imageRepository;
  return `${repository}:${gateway.spec.image?.tag ?? inputs.settings.imageTag}`;
}

function configVolumes(gateway: GatewayObject, inputs: GatewayInputs) {
  const configMap = names.configMap(gateway.metadata.name);
  const volumes: Record<string, unknown>[] = [
    {
      name: 'config',
      configMap: { name: configMap, items: [{ key: CONFIG_KEYS.config, path: 'config.yaml' }] },
    },
    { name: 'runtime', emptyDir: {} },
  ];
  const mounts: Record<string, unknown>[] = [
    { name: 'config', mountPath: CONFIG_FILE, subPath: 'config.yaml', readOnly: true },
    { name: 'runtime', mountPath: '/var/lib/mcpg' },
  ];
  if (inputs.revocations !== undefined) {
    volumes.push({
      name: 'revocation-list',
      configMap: { name: configMap, items: [{ key: CONFIG_KEYS.revocations, path: 'list.json' }] },
    });
    mounts.push({ name: 'revocation-list', mountPath: REVOCATIONS_DIR, readOnly: true });
  }
  if (inputs.credentials.length > 0) {
    volumes.push({
      name: 'cluster-credentials',
      projected: {
        sources: inputs.credentials.map((c) => ({
          secret: { name: c.secretName, items: [{ key: c.key, path: c.name }] },
        })),
      },
    });
    mounts.push({ name: 'cluster-credentials', mountPath: CREDENTIALS_DIR, readOnly: true });
  }
  return { volumes, mounts };
}

function container(gateway: GatewayObject, inputs: GatewayInputs, mounts: Record<string, unknown>[]) {
  const spec = gateway.spec;
  const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  return {
    name: 'mcpg',
    image: image(gateway, inputs),
    imagePullPolicy: spec.image?.pullPolicy ?? 'IfNotPresent',
    args: ['--config', CONFIG_FILE],
    workingDir: '/var/lib/mcpg',
    ports: [{ name: HTTP_PORT_NAME, containerPort: servicePort(gateway), protocol: 'TCP' }],
    env: [
      fieldEnv('POD_NAME', 'metadata.name'),
      fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
      fieldEnv('NODE_NAME', 'spec.nodeName'),
    ],
    resources: {
      requests: spec.resources?.requests ?? DEFAULT_RESOURCES.requests,
      limits: spec.resources?.limits ?? DEFAULT_RESOURCES.limits,
    },
    ...probes(spec),
    volumeMounts: mounts,
    securityContext: { ...HARDENED, readOnlyRootFilesystem: true, runAsNonRoot: true },
  };
}

/** Scheduling, all of it rendered (MCPG rendered only nodeSelector, priority and grace period). */
function scheduling(gateway: GatewayObject): Record<string, unknown> {
  const s = gateway.spec.scheduling;
  if (!s) return {};
  const spread = s.topologySpreadConstraints?.map((c) => ({
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    whenUnsatisfiable: c.whenUnsatisfiable,
    labelSelector: { matchLabels: { ...podSelector(gateway.metadata.name), ...c.labelSelectorMatchLabels } },
  }));
  const all = {
    nodeSelector: s.nodeSelector,
    tolerations: s.tolerations,
    affinity: s.affinity,
    topologySpreadConstraints: spread,
    priorityClassName: s.priorityClassName,
    terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/**
 * Under an autoscaler the count is the autoscaler's: the apply echoes what runs (within the autoscaler's range),
 * since leaving the field out would release it and let the API server reset it to 1 until the autoscaler reacts.
 */
function autoscaledReplicas(gateway: GatewayObject, live: number | undefined): number {
  const { min, max } = replicaRange(gateway);
  return Math.min(Math.max(live ?? min, min), max);
}

export function makeDeployment(gateway: GatewayObject, inputs: GatewayInputs, hashes: PodHashes): KubeObject {
  const plugins = pluginMounts(inputs.plugins, inputs.settings.pluginDelivery);
  const config = configVolumes(gateway, inputs);
  const autoscaled = gateway.spec.autoscaling?.enabled === true;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(gateway, { name: names.workload(gateway.metadata.name), component: COMPONENT }),
    spec: {
      replicas: autoscaled ? autoscaledReplicas(gateway, inputs.liveReplicas) : gateway.spec.replicas,
      selector: { matchLabels: podSelector(gateway.metadata.name) },
      strategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: podLabels(gateway), annotations: podAnnotations(gateway, hashes) },
        spec: {
          serviceAccountName: names.workload(gateway.metadata.name),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            fsGroup: 65534,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...scheduling(gateway),
          ...(plugins.initContainers.length > 0 ? { initContainers: plugins.initContainers } : {}),
          containers: [container(gateway, inputs, [...config.mounts, ...plugins.mounts])],
          volumes: [...config.volumes, ...plugins.volumes],
        },
      },
    },
  };
}
