/** What the server function watches and may do; knative/server.yaml is generated from this. */
import {
  EVENT_RECORDING,
  READ,
  WATCHED,
  childWatches,
  WRITE_CHILDREN,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';

export const wiring: FunctionWiring = {
  name: 'server',
  description: 'Reconciles MCPGServer into a Deployment, Service, NetworkPolicy and Ingress',
  watches: [
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer' },
    ...childWatches('MCPGServer', [
      { apiVersion: 'apps/v1', kind: 'Deployment' },
      { apiVersion: 'v1', kind: 'Service' },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
      // The server's pods (readiness, crash loops), not instance pods made from its template.
      { apiVersion: 'v1', kind: 'Pod' },
    ]),
    // Rotating an environment Secret or ConfigMap the user labelled rolls the pods that read it (by reference).
    { apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED },
    { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: WATCHED },
  ],
  permissions: [
    // Gateways too: who else asks for an Ingress host (ingressRefusal).
    { apiGroups: ['mcpg.dev'], resources: ['mcpgservers', 'mcpggateways'], verbs: READ },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgservers/status'], verbs: ['get', 'update'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: WRITE_CHILDREN },
    { apiGroups: [''], resources: ['services'], verbs: WRITE_CHILDREN },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: WRITE_CHILDREN },
    { apiGroups: [''], resources: ['pods', 'secrets', 'configmaps'], verbs: READ },
    EVENT_RECORDING,
  ],
  resyncSchedule: '*/10 * * * *',
  rendersIngresses: true,
};
