import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata, labelValue, parentLabel } from '@mcpg-functions/shared/runtime';
import type { ServerObject } from '../types.ts';
import { childName, podSelector } from './names.ts';

/**
 * Only the pods of the gateway that federates the server may connect (plus the peers the spec adds); a server
 * federated nowhere accepts nobody until it is.
 */
export function makeNetworkPolicy(server: ServerObject): KubeObject | undefined {
  const policy = server.spec.networkPolicy;
  if (policy && !policy.enabled) return undefined;
  const gateway = server.spec.federate?.gatewayRef.name;
  const from = [
    ...(gateway
      ? [{ podSelector: { matchLabels: { [parentLabel('MCPGGateway')]: labelValue(gateway) } } }]
      : []),
    ...(policy?.extraIngressFrom ?? []),
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(server, { name: childName(server.metadata.name), component: 'server' }),
    spec: {
      podSelector: { matchLabels: podSelector(server.metadata.name) },
      policyTypes: ['Ingress'],
      // No rule at all denies every connection (the server is federated nowhere and allows no extra peers).
      ...(from.length > 0
        ? { ingress: [{ from, ports: [{ protocol: 'TCP', port: server.spec.port }] }] }
        : {}),
    },
  };
}
