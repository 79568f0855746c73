/** What the gateway function watches and may do; knative/gateway.yaml is generated from this. */
import {
  EVENT_RECORDING,
  READ,
  WATCHED,
  childWatches,
  WRITE_CHILDREN,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';
import { GATEWAY_CHILD_TYPES } from './reconcile.ts';

const MCPG = 'mcpg.dev/v1alpha2';

export const wiring: FunctionWiring = {
  name: 'gateway',
  description: 'Reconciles MCPGGateway into its config, workload and traffic objects',
  watches: [
    // Its own kind. Knative's ApiServerSource controller guesses "mcpggatewaies" for it, so the generator wires
    // this watch to Knative's adapter run directly with the right resource (knative/direct-adapter.ts).
    { apiVersion: MCPG, kind: 'MCPGGateway' },
    // Dependencies: each change maps to exactly the gateways it affects.
    { apiVersion: MCPG, kind: 'MCPGPluginSet' },
    { apiVersion: MCPG, kind: 'MCPGRoute' },
    { apiVersion: MCPG, kind: 'MCPGCluster' },
    { apiVersion: MCPG, kind: 'MCPGRevocationList' },
    { apiVersion: MCPG, kind: 'MCPGTenant' },
    { apiVersion: MCPG, kind: 'MCPGServer' },
    { apiVersion: MCPG, kind: 'MCPGPlugin' },
    // Children, so drift is repaired and status follows the rollout.
    // (Not the Prometheus Operator's kinds, whose CRDs a cluster may not have.)
    ...childWatches(
      'MCPGGateway',
      GATEWAY_CHILD_TYPES.filter((t) => t.apiVersion !== 'monitoring.coreos.com/v1'),
    ),
    // Cluster credentials projected into gateway pods, when their owner labelled them: rotating one rolls them.
    { apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED },
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpggateways'], verbs: READ },
    { apiGroups: ['mcpg.dev'], resources: ['mcpggateways/status'], verbs: ['get', 'update'] },
    {
      apiGroups: ['mcpg.dev'],
      resources: [
        'mcpgpluginsets',
        'mcpgroutes',
        'mcpgclusters',
        'mcpgrevocationlists',
        'mcpgtenants',
        'mcpgservers',
        'mcpgplugins',
      ],
      verbs: READ,
    },
    { apiGroups: [''], resources: ['configmaps', 'services', 'serviceaccounts'], verbs: WRITE_CHILDREN },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: WRITE_CHILDREN },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE_CHILDREN },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE_CHILDREN },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: WRITE_CHILDREN },
    {
      apiGroups: ['monitoring.coreos.com'],
      resources: ['servicemonitors', 'prometheusrules'],
      verbs: WRITE_CHILDREN,
    },
    // Only to hash the cluster credentials it projects; the pods read the Secrets themselves.
    { apiGroups: [''], resources: ['secrets'], verbs: READ },
    EVENT_RECORDING,
  ],
  // Long enough for the function to reach zero between pings; gateway changes arrive as events.
  resyncSchedule: '*/5 * * * *',
  rendersIngresses: true,
};
