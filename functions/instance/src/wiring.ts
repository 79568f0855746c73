/** What the instance function watches and may do; knative/instance.yaml is generated from this. */
import {
  EVENT_RECORDING,
  MANAGED_LABELS,
  READ,
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
    { apiVersion: 'v1', kind: 'Pod', matchLabels: MANAGED_LABELS },
    { apiVersion: 'v1', kind: 'Service', matchLabels: MANAGED_LABELS },
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpginstances'], verbs: [...READ, 'delete'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpginstances/status'], verbs: ['get', 'update'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgservers'], verbs: READ },
    { apiGroups: [''], resources: ['pods', 'services'], verbs: WRITE_CHILDREN },
    EVENT_RECORDING,
  ],
  // Idle instances are collected on resync: often enough for a 30-minute idle TTL.
  resyncSchedule: '*/2 * * * *',
};
