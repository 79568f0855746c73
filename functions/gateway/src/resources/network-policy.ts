import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { GatewayObject } from '../types.ts';
import { COMPONENT, names, podSelector } from './names.ts';
import { servicePort } from './service.ts';

/** DNS stays reachable: without it no egress rule naming a host could work. */
const DNS_EGRESS = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

/**
 * Default deny in both directions around the gateway pods; the spec's peers are let in on the gateway port and
 * let out anywhere, and DNS is always allowed out.
 */
export function makeNetworkPolicy(gateway: GatewayObject): KubeObject | undefined {
  const policy = gateway.spec.networkPolicy;
  if (!policy?.enabled) return undefined;
  const from = policy.extraIngressFrom ?? [];
  const to = policy.extraEgressTo ?? [];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(gateway, { name: names.service(gateway.metadata.name), component: COMPONENT }),
    spec: {
      podSelector: { matchLabels: podSelector(gateway.metadata.name) },
      policyTypes: ['Ingress', 'Egress'],
      ...(from.length > 0
        ? { ingress: [{ from, ports: [{ protocol: 'TCP', port: servicePort(gateway) }] }] }
        : {}),
      egress: [DNS_EGRESS, ...(to.length > 0 ? [{ to }] : [])],
    },
  };
}
