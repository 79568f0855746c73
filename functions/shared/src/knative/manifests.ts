/**
 * The Knative wiring of one function: its ServiceAccount and RBAC, the Knative Service (scale to zero), its
 * ApiServerSources (each with a read-only ServiceAccount of its own) and a PingSource for the periodic resync.
 * Pure: the same wiring always gives the same objects.
 */
import { ADAPTER_IMAGE_PLACEHOLDER, directAdapter } from './direct-adapter.ts';
import { READ, type FunctionWiring, type WatchedType } from './wiring.ts';

export interface ManifestOptions {
  namespace: string;
  image: string;
  /** Overrides, as plain values or as template expressions (the Helm chart is generated from this too). */
  logLevel?: string;
  maxScale?: string;
  resyncSchedule?: string;
  env?: { name: string; value: string }[];
  /**
   * Knative Eventing's ApiServerSource adapter image (its controller's APISERVER_RA_IMAGE), for the kinds its
   * controller cannot watch (direct-adapter.ts). Without it, a placeholder to be replaced at install.
   */
  adapterImage?: string;
}

type Manifest = Record<string, unknown>;

/** Every container we run: the restricted Pod Security profile, a read-only root. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/**
 * The resource an ApiServerSource watches for a kind. Knative does not ask the API server: it guesses from the
 * kind (Kubernetes' UnsafeGuessKindToResource), so MCPGGateway becomes "mcpggatewaies", which does not exist,
 * and the source would silently deliver nothing for it: such kinds go to a direct adapter instead.
 */
export function knativeResource(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('endpoints')) return lower;
  if (lower.endsWith('s')) return `${lower}es`;
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/** Kinds whose content (credentials, environment, trust material) must never travel in an event. */
export function isSensitive(watch: WatchedType): boolean {
  return watch.apiVersion === 'v1' && (watch.kind === 'Secret' || watch.kind === 'ConfigMap');
}

/** Whether Knative's ApiServerSource controller derives the kind's resource right (see knativeResource). */
export function knativeDerives(watch: WatchedType): boolean {
  return knativeResource(watch.kind) === pluralOf(watch.kind);
}

/**
 * Refuses a watch that would wake the function for objects it has no reason to follow, naming the fix, rather
 * than wiring a cluster-wide stream.
 */
export function assertWatchable(wiring: FunctionWiring): void {
  for (const watch of wiring.watches) {
    if (isSensitive(watch) && Object.keys(watch.matchLabels ?? {}).length === 0)
      throw new Error(
        `${wiring.name}: watching every ${watch.kind} would wake the function for all of them in the cluster; select the ones it follows with matchLabels (childrenOf(kind) for its own, WATCHED for those users opt in)`,
      );
  }
}

/** One ApiServerSource of a function: its name (also its ServiceAccount's), its mode and what it watches. */
export interface EventSource {
  name: string;
  mode: 'Resource' | 'Reference';
  watches: WatchedType[];
}

/**
 * A source has one mode, so a function gets up to two: its own kinds and children in Resource mode (the payload tells
 * a child's owner without a read), and Secrets and ConfigMaps in Reference mode (apiVersion, kind, namespace and
 * name only), each with its own ServiceAccount, so the one that sends objects whole cannot read Secrets at all.
 */
export function eventSources(wiring: FunctionWiring): EventSource[] {
  const name = `mcpg-${wiring.name}`;
  const sources: EventSource[] = [
    { name, mode: 'Resource', watches: wiring.watches.filter((w) => !isSensitive(w)) },
    { name: `${name}-refs`, mode: 'Reference', watches: wiring.watches.filter(isSensitive) },
  ];
  return sources.filter((s) => s.watches.length > 0);
}

/** The ServiceAccount an ApiServerSource's adapter runs as. */
export function sourceAccount(source: EventSource): string {
  return `${source.name}-source`;
}

/** Lower-case plural, as the API server names resources (policy → policies, but gateway → gateways). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
}

/**
 * The function's own objects. Not `managed-by: mcpg-functions` as the children it renders: its pods must match
 * no source's selector, or its own scaling would wake it and its peers.
 */
function labels(wiring: FunctionWiring): Record<string, string> {
  return {
    'app.kubernetes.io/name': `mcpg-${wiring.name}`,
    'app.kubernetes.io/component': wiring.name,
    'app.kubernetes.io/part-of': 'mcpg',
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

type Sink = { ref: { apiVersion: string; kind: string; name: string } };

/**
 * A source, the ServiceAccount its adapter runs as and exactly the reads its watches need. The kinds Knative's
 * controller derives right go to an ApiServerSource; the others to its adapter run directly, in the same mode
 * and as the same account (direct-adapter.ts).
 */
function sourceManifests(
  source: EventSource,
  options: { namespace: string; sink: Sink; meta: Record<string, string>; adapterImage?: string | undefined },
) {
  const { namespace, sink, meta } = options;
  const account = sourceAccount(source);
  const served = source.watches.filter(knativeDerives);
  const direct = source.watches.filter((w) => !knativeDerives(w));
  return {
    identity: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace, labels: meta } },
      clusterRole(account, watchRules(source.watches), meta),
      binding(account, { name: account, namespace }, meta),
    ],
    sources: [
      ...(served.length
        ? [
            {
              apiVersion: 'sources.knative.dev/v1',
              kind: 'ApiServerSource',
              metadata: { name: source.name, namespace, labels: meta },
              spec: {
                mode: source.mode,
                serviceAccountName: account,
                namespaceSelector: {},
                resources: served.map((w) => ({
                  apiVersion: w.apiVersion,
                  kind: w.kind,
                  ...(w.matchLabels ? { selector: { matchLabels: w.matchLabels } } : {}),
                })),
                sink,
              },
            },
          ]
        : []),
      ...(direct.length
        ? [
            directAdapter({
              source,
              watches: direct,
              account,
              namespace,
              image: options.adapterImage ?? ADAPTER_IMAGE_PLACEHOLDER,
              sink,
              labels: meta,
              resourceOf: pluralOf,
            }),
          ]
        : []),
    ],
  };
}

export function functionManifests(wiring: FunctionWiring, options: ManifestOptions): Manifest[] {
  assertWatchable(wiring);
  const name = `mcpg-${wiring.name}`;
  const { namespace } = options;
  const meta = labels(wiring);
  const sink = { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name } };
  const sources = eventSources(wiring).map((s) =>
    sourceManifests(s, { namespace, sink, meta, adapterImage: options.adapterImage }),
  );
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: meta } },
    clusterRole(name, wiring.permissions, meta),
    binding(name, { name, namespace }, meta),
    ...sources.flatMap((s) => s.identity),
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
                securityContext: RESTRICTED_CONTAINER,
              },
            ],
          },
        },
      },
    },
    ...sources.flatMap((s) => s.sources),
    {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: `${name}-resync`, namespace, labels: meta },
      spec: { schedule: options.resyncSchedule ?? wiring.resyncSchedule, contentType: 'application/json', data: '{}', sink },
    },
  ];
}
