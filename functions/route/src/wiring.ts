/** What the route function watches and may do; knative/route.yaml is generated from this. */
import { EVENT_RECORDING, READ, type FunctionWiring } from '@mcpg-functions/shared/knative';

const MCPG = 'mcpg.dev/v1alpha2';

export const wiring: FunctionWiring = {
  name: 'route',
  description: 'Binds MCPGRoutes to their gateway and reports their status',
  watches: [
    { apiVersion: MCPG, kind: 'MCPGRoute' },
    // A gateway's accepted namespaces and its plugin set decide whether its routes are bound and complete.
    { apiVersion: MCPG, kind: 'MCPGGateway' },
    { apiVersion: MCPG, kind: 'MCPGPluginSet' },
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpgroutes'], verbs: READ },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgroutes/status'], verbs: ['get', 'update'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpggateways', 'mcpgpluginsets'], verbs: READ },
    EVENT_RECORDING,
  ],
  resyncSchedule: '*/10 * * * *',
};
