import path from 'node:path';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { wiring as instanceWiring } from '@mcpg-functions/instance/wiring';
import { wiring as serverWiring } from '@mcpg-functions/server/wiring';
import type { FunctionWiring } from '@mcpg-functions/shared/knative';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startFunction, type RunningFunction } from '../support/function-process.ts';
import { serviceAccountsFor } from '../support/service-accounts.ts';

interface PodList {
  items: { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }[];
}

// The API server's own Pod Security admission, enforcing "restricted" on the namespace, is the judge: a pod that
// breaks it is refused (the ReplicaSet controller then creates none; the instance function's create fails), so
// pods that exist and run prove that what the server and instance functions render passes.
describe('server and instance pods in a namespace enforcing Pod Security "restricted"', () => {
  const kube = clients();
  const namespace = useNamespace('sec-restricted');
  const stops: (() => Promise<void>)[] = [];
  const functions: RunningFunction[] = [];

  async function run(wiring: FunctionWiring): Promise<RunningFunction> {
    const dir = inject('clusterRunDir');
    const accounts = await serviceAccountsFor(kube, wiring, namespace.name, dir);
    stops.push(() => accounts.remove());
    const fn = await startFunction(wiring.name, {
      kubeconfig: accounts.function,
      logDir: path.join(dir, 'logs'),
    });
    stops.push(() => fn.stop());
    return fn;
  }

  const pods = async (selector: string) =>
    (
      await kubeRequest<PodList>(kube.config, {
        method: 'GET',
        path: `/api/v1/namespaces/${namespace.name}/pods?labelSelector=${encodeURIComponent(selector)}`,
      })
    ).items;

  /** Resyncs (a ping, as the PingSource sends) until pods of `selector` run. */
  async function untilRunning(selector: string, count: number): Promise<void> {
    await vi.waitFor(
      async () => {
        for (const fn of functions) expect(await fn.ping()).toBe(204);
        const running = (await pods(selector)).filter((p) => p.status?.phase === 'Running');
        expect(running).toHaveLength(count);
      },
      { timeout: 45_000, interval: 1_000 },
    );
  }

  beforeAll(async () => {
    await installCrds(kube);
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: `/api/v1/namespaces/${namespace.name}`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    });
    functions.push(await run(serverWiring), await run(instanceWiring));
  }, 90_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  const server = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: namespace.name },
    spec: { image: 'ghcr.io/example/tools:1.0.0', ...spec },
  });

  const instance = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGInstance',
    metadata: { name, namespace: namespace.name },
    spec: { subjectKey: name, ...spec },
  });

  it('refuses a pod without the hardening (the judge is awake)', async () => {
    const bare = kubeRequest(kube.config, {
      method: 'POST',
      path: `/api/v1/namespaces/${namespace.name}/pods`,
      body: {
        metadata: { name: 'bare' },
        spec: { containers: [{ name: 'c', image: 'ghcr.io/example/tools:1.0.0' }] },
      },
    });
    await expect(bare).rejects.toThrow(/violates PodSecurity "restricted:latest"/);
  });

  it('runs the pods of HTTP and stdio servers, also with the documented opt-outs', async () => {
    await apply(kube, server('http', { replicas: 2 }));
    await apply(kube, server('stdio', { transport: 'stdio', command: ['mcp-files', '/data'] }));
    await apply(
      kube,
      server('opted-out', {
        podSecurity: {
          runAsUser: 10001,
          readOnlyRootFilesystem: false,
          writablePaths: ['/data'],
          automountServiceAccountToken: true,
        },
      }),
    );
    await untilRunning('mcpg.dev/mcpgserver', 4);
  });

  it('runs instance pods from a server template and from an inline image', async () => {
    await apply(kube, server('template', { replicas: 0, transport: 'stdio', command: ['mcp-files'] }));
    await apply(kube, instance('alice', { serverTemplateRef: { name: 'template' } }));
    await apply(kube, instance('bob', { image: 'ghcr.io/example/tools:1.0.0' }));
    await untilRunning('mcpg.dev/mcpginstance', 2);
  });
});
