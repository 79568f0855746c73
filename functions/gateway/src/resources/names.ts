import { labelValue } from '@mcpg-functions/shared/runtime';
import { childNameOf } from '@mcpg-functions/shared/workloads';

/**
 * Children are named after the gateway, with an `mcpg-` prefix when the name does not start with a letter;
 * names stay DNS labels (≤ 63 characters), shortened with a hash when longer.
 */
export const names = {
  configMap: (gateway: string) => childNameOf('MCPGGateway', gateway, 'ConfigMap'),
  service: (gateway: string) => childNameOf('MCPGGateway', gateway, 'Service'),
  workload: (gateway: string) => childNameOf('MCPGGateway', gateway, 'Deployment'),
};

export const COMPONENT = 'gateway';
export const HTTP_PORT_NAME = 'http';

/** Labels that select the gateway's pods; fixed at creation (a Deployment's selector cannot change). */
export function podSelector(gatewayName: string): Record<string, string> {
  return {
    'app.kubernetes.io/instance': labelValue(gatewayName),
    'mcpg.dev/mcpggateway': labelValue(gatewayName),
  };
}

/** Annotations on the pod template whose change rolls the pods (full hashes; label values cannot hold them). */
export const HASH_ANNOTATIONS = {
  config: 'mcpg.dev/config-hash',
  plugins: 'mcpg.dev/plugin-set-hash',
  revocations: 'mcpg.dev/revocation-list-hash',
  credentials: 'mcpg.dev/credentials-hash',
} as const;

/** On the config ConfigMap: which routes and servers it folds in, so one moving away re-renders it. */
export const SOURCE_ANNOTATIONS = {
  routes: 'mcpg.dev/routes',
  servers: 'mcpg.dev/servers',
} as const;

/** ConfigMap keys. */
export const CONFIG_KEYS = {
  config: 'config.yaml',
  /** The plugin list the pods were given: the last known good list when the plugin set is not ready. */
  plugins: 'plugins.json',
  revocations: 'revocations.json',
} as const;
