/** What the instance function watches and may do; knative/instance.yaml is generated from this. */
import {
  EVENT_RECORDING,
  READ,
  childWatches,
  WRITE_CHILDREN,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';

export const wiring: FunctionWiring = {
  name: 'instance',
  description: 'Reconciles MCPGInstance into a per-subject Pod and Service, and collects idle ones',
  watches: [
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGInstance' },
    // A changed server template re-renders the instances made from it.
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer' },
    ...childWatches('MCPGInstance', [
      { apiVersion: 'v1', kind: 'Pod' },
      { apiVersion: 'v1', kind: 'Service' },
    ]),
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpginstances'], verbs: [...READ, 'delete'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpginstances/status'], verbs: ['get', 'update'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgservers'], verbs: READ },
    { apiGroups: [''], resources: ['pods', 'services'], verbs: WRITE_CHILDREN },
    EVENT_RECORDING,
  ],
  // Nothing changes while an instance sits idle, so only the resync collects it: an idle instance goes between
  // idleTTL and idleTTL + 5 minutes after its last use. More often and the function never scales to zero.
  resyncSchedule: '*/5 * * * *',
};
