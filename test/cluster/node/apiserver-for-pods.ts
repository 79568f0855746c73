/**
 * Pods reach the API server as in any cluster: the `kubernetes` Service (10.96.0.1:443, which every in-cluster
 * client dials) leads to the node's gateway address, where a forwarder hands the connection to the API server on
 * loopback. The API server itself stays bound to loopback, and the gateway address exists only on the node's
 * bridge, so nothing beyond this machine can reach it. Its certificate names the Service's address (control-plane.ts).
 */
import { URL } from 'node:url';
import { serverSideApply } from '@mcpg-functions/shared/kube';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import type { ControlPlaneState } from '../control-plane.ts';
import { NODE_NETWORK } from './network.ts';

/** socat's arguments: listen on the gateway address at the API server's port, forward to loopback. */
export function forwarderArgs(server: string, gateway: string = NODE_NETWORK.gateway): string[] {
  const port = new URL(server).port;
  return [`TCP-LISTEN:${port},bind=${gateway},fork,reuseaddr,backlog=128`, `TCP:127.0.0.1:${port}`];
}

/**
 * The Service's endpoint, which the API server does not publish here (it advertises loopback, which an endpoint may
 * not be, so its endpoint reconciler is off): the gateway address at the API server's port.
 */
export function kubernetesEndpoints(
  server: string,
  gateway: string = NODE_NETWORK.gateway,
): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  [field: string]: unknown;
} {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: {
        'kubernetes.io/service-name': 'kubernetes',
        'endpointslice.kubernetes.io/managed-by': 'mcpg-functions.test-bed',
      },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [gateway], conditions: { ready: true } }],
    ports: [{ name: 'https', port: Number(new URL(server).port), protocol: 'TCP' }],
  };
}

export async function publishApiServerToPods(cluster: ControlPlaneState): Promise<void> {
  await serverSideApply(loadKubeConfig(cluster.kubeconfig), kubernetesEndpoints(cluster.server), {
    plural: 'endpointslices',
    fieldManager: 'mcpg-functions/test-bed',
  });
}
