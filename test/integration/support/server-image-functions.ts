import { kubeRequest } from '@mcpg-functions/shared/kube';
import { wiring as serverWiring } from '@mcpg-functions/server/wiring';
import { wiring as supplyChainWiring } from '@mcpg-functions/supply-chain/wiring';
import type { Clients } from './cluster.ts';
import { apply } from './crds.ts';
import { startWithEventSource, type FunctionUnderTest } from './event-source.ts';

interface ProbedServer {
  status?: { phase?: string; conditions?: { type: string }[] };
}

export interface ServerImageFunctions {
  supplyChain: FunctionUnderTest;
  server: FunctionUnderTest;
  stop: () => Promise<void>;
}

/**
 * MCPGServer image trust as it runs in a cluster: the supply-chain function (which judges each server's image
 * against its verify policy) and the server function (which rolls out only what passed), each fed by Knative's
 * adapter as its own ServiceAccount. Each is started once its adapter's events demonstrably arrive.
 */
export async function startServerImageFunctions(options: {
  clients: Clients;
  namespace: string;
  /** Narrows the supply chain's cluster-wide watches (revocation lists) to this run's objects. */
  clusterScopedLabels: Record<string, string>;
  supplyChainEnv?: Record<string, string>;
  serverEnv?: Record<string, string>;
}): Promise<ServerImageFunctions> {
  const { clients: kube, namespace } = options;
  const serverPath = (name: string) => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace}/mcpgservers/${name}`;
  const read = (name: string) =>
    kubeRequest<ProbedServer>(kube.config, { method: 'GET', path: serverPath(name) });
  const remove = (name: string) => kubeRequest(kube.config, { method: 'DELETE', path: serverPath(name) });
  // Probe servers that never start a pod: their image is nowhere, and only their status is watched.
  const unreachable = `127.0.0.1:9/none/probe@sha256:${'0'.repeat(64)}`;
  const probeServer = (name: string, verify?: Record<string, unknown>) =>
    apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name, namespace },
      spec: { image: unreachable, ...(verify ? { verify } : {}) },
    });
  const supplyChain = await startWithEventSource({
    name: 'supply-chain',
    clients: kube,
    namespace,
    wiring: supplyChainWiring,
    clusterScopedLabels: options.clusterScopedLabels,
    env: { MCPG_OPERATOR_NAMESPACE: namespace, ...options.supplyChainEnv },
    probe: {
      create: (name) => probeServer(`sc-${name}`, { cosignKeyRef: { secretName: 'probe-key' } }),
      reconciled: async (name) =>
        (await read(`sc-${name}`)).status?.conditions?.some((c) => c.type === 'ImageVerified') === true,
      remove: (name) => remove(`sc-${name}`),
    },
  });
  const server = await startWithEventSource({
    name: 'server',
    clients: kube,
    namespace,
    wiring: serverWiring,
    ...(options.serverEnv ? { env: options.serverEnv } : {}),
    probe: {
      create: (name) => probeServer(name),
      reconciled: async (name) => (await read(name)).status?.phase !== undefined,
      remove,
    },
  }).catch(async (error: unknown) => {
    await supplyChain.stop();
    throw error;
  });
  return {
    supplyChain,
    server,
    stop: async () => {
      await server.stop();
      await supplyChain.stop();
    },
  };
}
