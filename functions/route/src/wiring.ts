/** What the route function watches and may do; knative/route.yaml is generated from this. */
import {
  EVENT_RECORDING,
  GATEWAY_CONFIG_LABELS,
  READ,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';

const MCPG = 'mcpg.dev/v1alpha2';

export const wiring: FunctionWiring = {
  name: 'route',
  description: 'Binds MCPGRoutes to their gateway and reports their status',
  watches: [
    { apiVersion: MCPG, kind: 'MCPGRoute' },
    // A gateway's plugin set decides whether its routes' chains are complete.
    { apiVersion: MCPG, kind: 'MCPGPluginSet' },
    // A gateway's config ConfigMap changes whenever its bound routes do, such as when it starts or stops
    // accepting a namespace: what a route's status follows, once the gateway function has rendered it.
    { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: GATEWAY_CONFIG_LABELS },
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpgroutes'], verbs: READ },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgroutes/status'], verbs: ['get', 'update'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpggateways', 'mcpgpluginsets'], verbs: READ },
    { apiGroups: [''], resources: ['configmaps'], verbs: READ },
    EVENT_RECORDING,
  ],
  resyncSchedule: '*/10 * * * *',
};
