/** What the plugin-set function watches and may do; knative/plugin-set.yaml is generated from this. */
import { EVENT_RECORDING, READ, type FunctionWiring } from '@mcpg-functions/shared/knative';

export const wiring: FunctionWiring = {
  name: 'plugin-set',
  description: 'Resolves MCPGPluginSet entries to verified, unrevoked, digest-pinned plugins for gateways',
  watches: [
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPluginSet' },
    // A plugin turning revoked, unverified or ready re-resolves the sets that reference it.
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPlugin' },
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpgpluginsets'], verbs: READ },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgpluginsets/status'], verbs: ['get', 'update'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgplugins'], verbs: READ },
    EVENT_RECORDING,
  ],
  // MCPG resolves sets every five minutes; events make most passes unnecessary.
  resyncSchedule: '*/5 * * * *',
};
