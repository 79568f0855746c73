/**
 * The Knative wiring of one function: its ServiceAccount and RBAC, the Knative Service (scale to zero), its
 * ApiServerSources (each with a read-only ServiceAccount of its own) and a PingSource for the periodic resync.
 * Pure: the same wiring always gives the same objects.
 */
import { TENANT_LABEL, TENANT_OPT_IN_LABEL } from '../api/tenant.validation.ts';
import { ADAPTER_IMAGE_PLACEHOLDER, directAdapter } from './direct-adapter.ts';
import { isOptedIn, READ, type FunctionWiring, type PolicyRule, type WatchedType } from './wiring.ts';

/** A watched source's ServiceAccount, which is also the name of the ClusterRole bound to it per namespace. */
export interface SourceAccount {
  namespace: string;
  name: string;
}

export interface ManifestOptions {
  namespace: string;
  image: string;
  /** Overrides, as plain values or as template expressions (the Helm chart is generated from this too). */
  logLevel?: string;
  maxScale?: string;
  resyncSchedule?: string;
  env?: { name: string; value: string }[];
  /** Every function's watched source, for a wiring that binds them (bindsWatchedSources). */
  watchedSources?: SourceAccount[];
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

/**
 * One ApiServerSource of a function: its name (also its ServiceAccount's), its mode, what it watches, and where:
 * every namespace, only those an MCPGTenant bound (TENANT_NAMESPACES), where the tenant function grants its
 * reads, or only the function's own namespace.
 */
export interface EventSource {
  name: string;
  mode: 'Resource' | 'Reference';
  watches: WatchedType[];
  scope: 'cluster' | 'tenants' | 'own';
}

/**
 * The namespaces a watched source follows: those an administrator opted in and a tenant bound. The tenant
 * function binds the source's role in each (watchedSourceBinding) in the pass that labels it, so the account needs
 * no cluster-wide read of Secrets or ConfigMaps. Knative checks with SubjectAccessReviews that the account may read
 * in every selected namespace and retries until it may.
 */
export const TENANT_NAMESPACES = {
  matchLabels: { [TENANT_OPT_IN_LABEL]: 'true' },
  matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }],
};

/**
 * A source has one mode and one namespace selector, so a function gets up to three (four when it follows its
 * own namespace), each with its own ServiceAccount: its own kinds and children in Resource mode (the payload tells a child's owner without a read);
 * its own ConfigMaps in Reference mode (apiVersion, kind, namespace and name only), so the account that sends
 * objects whole cannot read ConfigMaps or Secrets at all; and the Secrets and ConfigMaps users opt in, by
 * reference and only in tenants' namespaces (and the function's own, for a function that follows it), so no
 * account reads Secrets cluster-wide.
 */
export function eventSources(wiring: FunctionWiring): EventSource[] {
  const name = `mcpg-${wiring.name}`;
  const ownChildren = (w: WatchedType) => isSensitive(w) && !isOptedIn(w);
  const sources: EventSource[] = [
    { name, mode: 'Resource', scope: 'cluster', watches: wiring.watches.filter((w) => !isSensitive(w)) },
    { name: `${name}-refs`, mode: 'Reference', scope: 'cluster', watches: wiring.watches.filter(ownChildren) },
    { name: `${name}-watched`, mode: 'Reference', scope: 'tenants', watches: wiring.watches.filter(isOptedIn) },
  ];
  if (wiring.followsOwnNamespace)
    sources.push({ name: `${name}-own`, mode: 'Reference', scope: 'own', watches: wiring.watches.filter(isOptedIn) });
  return sources.filter((s) => s.watches.length > 0);
}

/** The accounts of every watched source of these functions, in `namespace`. */
export function watchedSourceAccounts(wirings: readonly FunctionWiring[], namespace: string): SourceAccount[] {
  return wirings
    .flatMap(eventSources)
    .filter((s) => s.scope === 'tenants')
    .map((s) => ({ namespace, name: sourceAccount(s) }));
}

/**
 * What lets a watched source read in one namespace: its ClusterRole (get, list and watch of what it watches,
 * bound nowhere else) bound there to its ServiceAccount.
 */
export function watchedSourceBinding(account: SourceAccount, namespace: string): Manifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: account.name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: account.name },
    subjects: [{ kind: 'ServiceAccount', namespace: account.namespace, name: account.name }],
  };
}

/** The env entry naming the watched sources to a function that binds them: `namespace/name`, comma-separated. */
export const WATCHED_SOURCES_ENV = 'MCPG_WATCHED_SOURCES';

export function watchedSourcesValue(sources: readonly SourceAccount[]): string {
  return sources.map((s) => `${s.namespace}/${s.name}`).join(',');
}

/**
 * A function binding the watched sources may bind exactly their ClusterRoles (an empty `resourceNames` would
 * mean every ClusterRole, cluster-admin included, so no rule at all then).
 */
function bindingRights(wiring: FunctionWiring, options: ManifestOptions): PolicyRule[] {
  const names = (options.watchedSources ?? []).map((s) => s.name);
  if (!wiring.bindsWatchedSources || names.length === 0) return [];
  return [
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: names },
  ];
}

function bindingEnv(wiring: FunctionWiring, options: ManifestOptions): { name: string; value: string }[] {
  if (!wiring.bindsWatchedSources) return [];
  return [{ name: WATCHED_SOURCES_ENV, value: watchedSourcesValue(options.watchedSources ?? []) }];
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

function withLabels(manifest: Manifest, labels: Record<string, string>): Manifest {
  return { ...manifest, metadata: { ...(manifest.metadata as object), labels } };
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
  const everywhere = source.scope === 'cluster';
  // A watched source's role is bound per namespace by the tenant function; one following its own namespace, there.
  const bindings = {
    cluster: [binding(account, { name: account, namespace }, meta)],
    tenants: [],
    own: [withLabels(watchedSourceBinding({ namespace, name: account }, namespace), meta)],
  };
  const served = source.watches.filter(knativeDerives);
  const direct = source.watches.filter((w) => !knativeDerives(w));
  if (direct.length && !everywhere) {
    // The directly run adapter watches every namespace; a narrower source has no such form.
    throw new Error(`source ${source.name}: Knative derives no resource for ${direct.map((w) => w.kind).join(', ')}`);
  }
  return {
    identity: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace, labels: meta } },
      clusterRole(account, watchRules(source.watches), meta),
      ...bindings[source.scope],
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
                // Without a selector, Knative watches the source's own namespace only.
                ...(source.scope === 'own' ? {} : { namespaceSelector: everywhere ? {} : TENANT_NAMESPACES }),
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

/** A Knative Service's cluster-local address, without the cluster domain (which clusters may rename). */
export function ownAddress(service: string, namespace: string): string {
  return `http://${service}.${namespace}.svc`;
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
    clusterRole(name, [...wiring.permissions, ...bindingRights(wiring, options)], meta),
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
                env: [
                  { name: 'LOG_LEVEL', value: options.logLevel ?? 'info' },
                  // A resync sends its pages to the Service itself, so every replica takes a share.
                  { name: 'MCPG_RESYNC_SHARD_SINK', value: ownAddress(name, namespace) },
                  ...bindingEnv(wiring, options),
                  ...(options.env ?? []),
                ],
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
