/** What the server function watches and may do; knative/server.yaml is generated from this. */
import {
  EVENT_RECORDING,
  MANAGED_LABELS,
  READ,
  WRITE_CHILDREN,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';

export const wiring: FunctionWiring = {
  name: 'server',
  description: 'Reconciles MCPGServer into a Deployment, Service, NetworkPolicy and Ingress',
  watches: [
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer' },
    { apiVersion: 'apps/v1', kind: 'Deployment', matchLabels: MANAGED_LABELS },
    { apiVersion: 'v1', kind: 'Service', matchLabels: MANAGED_LABELS },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', matchLabels: MANAGED_LABELS },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', matchLabels: MANAGED_LABELS },
    { apiVersion: 'v1', kind: 'Pod', matchLabels: MANAGED_LABELS },
    // Rotating an environment Secret or ConfigMap rolls the pods that read it.
    { apiVersion: 'v1', kind: 'Secret' },
    { apiVersion: 'v1', kind: 'ConfigMap' },
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpgservers'], verbs: READ },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgservers/status'], verbs: ['get', 'update'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: WRITE_CHILDREN },
    { apiGroups: [''], resources: ['services'], verbs: WRITE_CHILDREN },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: WRITE_CHILDREN },
    { apiGroups: [''], resources: ['pods', 'secrets', 'configmaps'], verbs: READ },
    EVENT_RECORDING,
  ],
  resyncSchedule: '*/10 * * * *',
};
