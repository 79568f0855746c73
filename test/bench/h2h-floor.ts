/**
 * The floor of the servers workload: no operator, the benchmark's client itself creating the Deployments the
 * server function renders for those servers, so that "all Available" is the pace of the API server, the
 * controller-manager and KWOK alone. No system can report its servers Running sooner than that.
 */
import { requireKind, type ServerSpec } from '@mcpg-functions/shared/api';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { parseSpec } from '@mcpg-functions/shared/runtime';
import { makeDeployment } from '@mcpg-functions/server/deployment';
import {
  clusterAdminAccount,
  isAvailable,
  serversWorkload,
  SYSTEM_NAMESPACE,
  type KubeObject,
  type System,
  type Workload,
} from './h2h-systems.ts';

/** The Deployment the server function renders for one server of the servers workload, without its owner. */
function renderedDeployment(server: KubeObject): KubeObject {
  const spec = parseSpec(requireKind('MCPGServer'), server) as ServerSpec;
  const rendered = makeDeployment(
    { ...server, metadata: { ...server.metadata, uid: 'floor' }, spec },
    { envHash: 'floor', bridgeImage: 'ghcr.io/mcpg-dev/stdio-bridge:0.1.0' },
  );
  // The garbage collector deletes an object whose owner does not exist.
  const metadata: KubeObject['metadata'] & { ownerReferences?: unknown } = { ...rendered.metadata };
  delete metadata.ownerReferences;
  return { ...rendered, metadata };
}

/** As many Deployments as the servers workload has servers, each ready when Available. */
export function floorWorkload(count: number): Workload {
  const servers = serversWorkload(count);
  return {
    name: 'deployments',
    kind: 'Deployment',
    plural: 'deployments',
    count,
    object: (name) => renderedDeployment(servers.object(name)),
    isReady: isAvailable,
  };
}

/** The "system" of the floor: the client creating the objects, a ServiceAccount whose requests are counted. */
export function floorClient(): System {
  const account = 'h2h-floor';
  return {
    label: 'floor',
    start: async (bed) => {
      const kubeconfig = await clusterAdminAccount(bed, account);
      return {
        operator: {
          identity: { name: account, serviceAccounts: [{ name: account, namespace: SYSTEM_NAMESPACE }] },
          pids: [],
        },
        creator: loadKubeConfig(kubeconfig),
      };
    },
  };
}
