/**
 * The Knative wiring of one function: its ServiceAccount and RBAC, the Knative Service (scale to zero), an
 * ApiServerSource for what it watches (with a read-only ServiceAccount of its own) and a PingSource for the
 * periodic resync. Pure: the same wiring always gives the same objects.
 */
import { READ, type FunctionWiring, type WatchedType } from './wiring.ts';

export interface ManifestOptions {
  namespace: string;
  image: string;
  /** Overrides, as plain values or as template expressions (the Helm chart is generated from this too). */
  logLevel?: string;
  maxScale?: string;
  resyncSchedule?: string;
  env?: { name: string; value: string }[];
}

type Manifest = Record<string, unknown>;

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** Lower-case plural, as the API server names resources (policy → policies, but gateway → gateways). */
/**
 * The resource an ApiServerSource watches for a kind. Knative does not ask the API server: it guesses from the
 * kind (Kubernetes' UnsafeGuessKindToResource), so MCPGGateway becomes "mcpggatewaies", which does not exist,
 * and the source silently delivers nothing for it.
 */
export function knativeResource(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('endpoints')) return lower;
  if (lower.endsWith('s')) return `${lower}es`;
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/** Refuses a watch no ApiServerSource could serve, naming the fix, rather than wiring a silent gap. */
export function assertWatchable(wiring: FunctionWiring): void {
  for (const watch of wiring.watches) {
    const guessed = knativeResource(watch.kind);
    if (guessed !== pluralOf(watch.kind))
      throw new Error(
        `${wiring.name}: an ApiServerSource would watch "${guessed}" for ${watch.kind} (Knative guesses the resource from the kind), which does not exist; watch a child of it instead (for gateways: GATEWAY_CONFIG_LABELS ConfigMaps) and rely on the resync for the rest`,
      );
  }
}

export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
}

function labels(wiring: FunctionWiring, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': `mcpg-${wiring.name}`,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'mcpg',
    'app.kubernetes.io/managed-by': 'mcpg-functions',
  };
}

function clusterRole(name: string, rules: unknown[], meta: Record<string, string>): Manifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: meta },
    rules,
  };
}

function binding(
  name: string,
  serviceAccount: { name: string; namespace: string },
  meta: Record<string, string>,
): Manifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: meta },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', ...serviceAccount }],
  };
}

function watchRules(watches: WatchedType[]): unknown[] {
  const byGroup = new Map<string, Set<string>>();
  for (const w of watches) {
    const group = groupOf(w.apiVersion);
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(pluralOf(w.kind)));
  }
  return [...byGroup].map(([group, resources]) => ({
    apiGroups: [group],
    resources: [...resources].sort(),
    verbs: READ,
  }));
}

export function functionManifests(wiring: FunctionWiring, options: ManifestOptions): Manifest[] {
  assertWatchable(wiring);
  const name = `mcpg-${wiring.name}`;
  const source = `${name}-source`;
  const { namespace } = options;
  const meta = labels(wiring, wiring.name);
  const sink = { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name } };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: meta } },
    clusterRole(name, wiring.permissions, meta),
    binding(name, { name, namespace }, meta),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: source, namespace, labels: meta } },
    clusterRole(source, watchRules(wiring.watches), meta),
    binding(source, { name: source, namespace }, meta),
    {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: {
        name,
        namespace,
        labels: { ...meta, 'networking.knative.dev/visibility': 'cluster-local' },
      },
      spec: {
        template: {
          metadata: {
            labels: meta,
            annotations: {
              'autoscaling.knative.dev/min-scale': '0',
              'autoscaling.knative.dev/max-scale': options.maxScale ?? '3',
              'autoscaling.knative.dev/scale-to-zero-pod-retention-period': '1m',
            },
          },
          spec: {
            serviceAccountName: name,
            containerConcurrency: 10,
            timeoutSeconds: 120,
            containers: [
              {
                image: options.image,
                env: [{ name: 'LOG_LEVEL', value: options.logLevel ?? 'info' }, ...(options.env ?? [])],
                readinessProbe: { httpGet: { path: '/health/readiness' } },
                livenessProbe: { httpGet: { path: '/health/liveness' } },
                resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'ApiServerSource',
      metadata: { name, namespace, labels: meta },
      spec: {
        mode: 'Resource',
        serviceAccountName: source,
        namespaceSelector: {},
        resources: wiring.watches.map((w) => ({
          apiVersion: w.apiVersion,
          kind: w.kind,
          ...(w.matchLabels ? { selector: { matchLabels: w.matchLabels } } : {}),
        })),
        sink,
      },
    },
    {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: `${name}-resync`, namespace, labels: meta },
      spec: { schedule: options.resyncSchedule ?? wiring.resyncSchedule, contentType: 'application/json', data: '{}', sink },
    },
  ];
}
