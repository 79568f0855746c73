/** What a reconcile function declares about itself, next to its code; the Knative manifests are generated from it. */
export interface WatchedType {
  apiVersion: string;
  kind: string;
  /**
   * Only objects with these labels. Every child watch names the kind of its parent (`childrenOf`), so that
   * nothing else, the functions' own pods included, wakes the function. Secrets and ConfigMaps must be selected.
   */
  matchLabels?: Record<string, string>;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface FunctionWiring {
  /** Short name: the folder under functions/ and the suffix of every object (mcpg-<name>). */
  name: string;
  description: string;
  /** What the ApiServerSources watch (cluster-wide) and send to the function. */
  watches: WatchedType[];
  /** What the function itself may do (least privilege). */
  permissions: PolicyRule[];
  /** Default cron schedule of the resync ping (a chart value overrides it). */
  resyncSchedule: string;
  /**
   * The function grants every function's watched source (see watchedSourceBinding) its reads in the namespaces
   * it binds: it gets the right to bind exactly those ClusterRoles and their names in MCPG_WATCHED_SOURCES.
   */
  bindsWatchedSources?: boolean;
  /**
   * The Secrets and ConfigMaps users opt in matter in the function's own namespace too (cluster-scoped objects
   * name them there), which no tenant holds: a source of its own watches them there.
   */
  followsOwnNamespace?: boolean;
  /** The function renders Ingresses and applies the operator's Ingress settings (the chart's admission.ingress). */
  rendersIngresses?: boolean;
}

/**
 * The objects a function renders for a parent of `kind`: every child carries these labels (runtime/ownership.ts).
 * A function's own pods carry neither, so its scaling sends no events.
 */
export function childrenOf(kind: string): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'mcpg-functions', 'app.kubernetes.io/name': kind.toLowerCase() };
}

/** Watches of the children a function renders for a parent of `kind`, of the given types. */
export function childWatches(kind: string, types: { apiVersion: string; kind: string }[]): WatchedType[] {
  return types.map((t) => ({ ...t, matchLabels: childrenOf(kind) }));
}

/**
 * The gateway function's ConfigMaps. A function that follows what the gateway function rendered (not the
 * gateway's spec) watches these: each changes when its gateway is rendered again.
 */
export const GATEWAY_CONFIG_LABELS = childrenOf('MCPGGateway');

/**
 * The label a user puts on a Secret or ConfigMap that MCPG objects read (environment, pull secrets, signing keys,
 * cluster credentials) so that changing it re-renders them at once. Unlabelled ones are seen at the next resync.
 * Only references (apiVersion, kind, namespace, name) of labelled objects are ever sent, never their content.
 */
export const WATCH_LABEL = 'mcpg.dev/watch';
export const WATCHED = { [WATCH_LABEL]: 'true' };

/** A watch of objects users opt in with WATCH_LABEL: followed only in namespaces an MCPGTenant binds. */
export function isOptedIn(watch: WatchedType): boolean {
  return watch.matchLabels?.[WATCH_LABEL] === 'true';
}

export const READ = ['get', 'list', 'watch'];
export const WRITE_CHILDREN = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Every function records Events on its objects. */
export const EVENT_RECORDING: PolicyRule = {
  apiGroups: ['events.k8s.io'],
  resources: ['events'],
  verbs: ['create'],
};
