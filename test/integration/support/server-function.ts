import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll } from 'vitest';
import { wiring } from '@mcpg-functions/server/wiring';
import { clients, useNamespace, type Clients } from './cluster.ts';
import { apply, installCrds } from './crds.ts';
import { startWithEventSource, type FunctionUnderTest } from './event-source.ts';

export interface ServerView {
  metadata: { name: string; generation: number; creationTimestamp?: string };
  status?: {
    phase?: string;
    readyReplicas?: number;
    url?: string;
    failureCount?: number;
    observedGeneration?: number;
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message?: string;
      observedGeneration?: number;
    }[];
  };
}

export interface ServerBed {
  kube: Clients;
  readonly namespace: string;
  /** The running function (set once the file's beforeAll has run). */
  readonly running: FunctionUnderTest;
  /** An MCPGServer manifest in the bed's namespace. */
  server: (
    name: string,
    spec?: Record<string, unknown>,
  ) => {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string };
    spec: Record<string, unknown>;
  };
  read: (name: string) => Promise<ServerView>;
  remove: (name: string) => Promise<unknown>;
}

/**
 * The server function in its own process, fed by Knative's real ApiServerSource adapter, in a namespace of
 * the test file's own; started before the file's tests and stopped after them.
 */
export function useServerFunction(
  prefix: string,
  options: { replicas?: number; env?: Record<string, string>; moreNamespaces?: string[] } = {},
): ServerBed {
  const namespace = useNamespace(prefix);
  const kube = clients();
  let running: FunctionUnderTest | undefined;
  const path = (name: string) => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/${name}`;
  const bed: ServerBed = {
    kube,
    get namespace() {
      return namespace.name;
    },
    get running() {
      if (!running) throw new Error('the server function has not started');
      return running;
    },
    server: (name, spec = {}) => ({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name, namespace: namespace.name },
      spec: { image: 'ghcr.io/example/tools:1.0.0', ...spec },
    }),
    read: (name) => kubeRequest<ServerView>(kube.config, { method: 'GET', path: path(name) }),
    remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: path(name) }),
  };
  beforeAll(async () => {
    await installCrds(kube);
    running = await startWithEventSource({
      name: 'server',
      clients: kube,
      namespace: namespace.name,
      wiring,
      ...(options.replicas ? { replicas: options.replicas } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.moreNamespaces ? { moreNamespaces: options.moreNamespaces } : {}),
      probe: {
        create: (name) => apply(kube, bed.server(name)),
        reconciled: async (name) => (await bed.read(name)).status?.observedGeneration !== undefined,
        remove: bed.remove,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
  });
  return bed;
}
