/** What a reconcile function declares about itself, next to its code; the Knative manifests are generated from it. */
export interface WatchedType {
  apiVersion: string;
  kind: string;
  /** Only objects with these labels (the function's own children). */
  matchLabels?: Record<string, string>;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export interface FunctionWiring {
  /** Short name: the folder under functions/ and the suffix of every object (mcpg-<name>). */
  name: string;
  description: string;
  /** What the ApiServerSource watches (cluster-wide) and sends to the function. */
  watches: WatchedType[];
  /** What the function itself may do (least privilege). */
  permissions: PolicyRule[];
  /** Cron schedule of the resync ping. */
  resyncSchedule: string;
}

export const MANAGED_LABELS = { 'app.kubernetes.io/managed-by': 'mcpg-functions' };

/**
 * The gateway function's config ConfigMaps. Knative cannot watch MCPGGateway itself (see knativeResource), so a
 * function that follows gateways watches these: each changes when its gateway is rendered again.
 */
export const GATEWAY_CONFIG_LABELS = { ...MANAGED_LABELS, 'app.kubernetes.io/name': 'mcpggateway' };
export const READ = ['get', 'list', 'watch'];
export const WRITE_CHILDREN = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Every function records Events on its objects. */
export const EVENT_RECORDING: PolicyRule = {
  apiGroups: ['events.k8s.io'],
  resources: ['events'],
  verbs: ['create'],
};
