/** What the supply-chain function watches and may do; knative/supply-chain.yaml is generated from this. */
import { EVENT_RECORDING, READ, WATCHED, type FunctionWiring } from '@mcpg-functions/shared/knative';

export const wiring: FunctionWiring = {
  name: 'supply-chain',
  description:
    'Verifies MCPGPlugin artifacts and MCPGServer images (signatures, revocation) and checks MCPGPluginMirrors',
  watches: [
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPlugin' },
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGRevocationList' },
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPluginMirror' },
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer' },
    // Rotated signing keys, pull secrets and provenance re-verify the plugins and servers that use them, when
    // labelled (by reference); unlabelled ones are read again at the next resync.
    { apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED },
    { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: WATCHED },
  ],
  permissions: [
    {
      apiGroups: ['mcpg.dev'],
      resources: ['mcpgplugins', 'mcpgrevocationlists', 'mcpgpluginmirrors', 'mcpgservers'],
      verbs: READ,
    },
    {
      apiGroups: ['mcpg.dev'],
      resources: [
        'mcpgplugins/status',
        'mcpgrevocationlists/status',
        'mcpgpluginmirrors/status',
        'mcpgservers/status',
      ],
      verbs: ['get', 'update'],
    },
    { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: READ },
    EVENT_RECORDING,
  ],
  resyncSchedule: '*/5 * * * *',
  // MCPGPlugins and mirrors name their keys, pull secrets and provenance in the operator's namespace.
  followsOwnNamespace: true,
};
