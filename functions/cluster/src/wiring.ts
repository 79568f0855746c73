/** What the cluster function watches and may do; knative/cluster.yaml is generated from this. */
import {
  EVENT_RECORDING,
  GATEWAY_CONFIG_LABELS,
  READ,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';

export const wiring: FunctionWiring = {
  name: 'cluster',
  description:
    'Reports MCPGCluster backends: rendered block and hash, backend plugin readiness, credential Secrets and bound gateways',
  watches: [
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGCluster' },
    // Gateways joining or leaving change the count and the namespaces whose credentials are checked: seen through
    // their config ConfigMaps, which change whenever a gateway is rendered again (by reference, no content).
    { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: GATEWAY_CONFIG_LABELS },
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPlugin' },
    // Secrets are not watched: their events would carry every Secret's data to this function. A credential
    // Secret created later is seen at the next resync or gateway change.
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpgclusters'], verbs: READ },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgclusters/status'], verbs: ['get', 'update'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpggateways', 'mcpgplugins'], verbs: READ },
    // Only get: the gateway a config ConfigMap belongs to.
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    // Only get: whether a credential Secret exists and holds its key.
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    EVENT_RECORDING,
  ],
  resyncSchedule: '*/5 * * * *',
};
