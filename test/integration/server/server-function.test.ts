import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { wiring } from '@mcpg-functions/server/wiring';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';
import type { RunningFunction } from '../support/function-process.ts';

interface Server {
  metadata: { name: string; generation: number };
  status?: {
    phase?: string;
    readyReplicas?: number;
    url?: string;
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string }[];
  };
}

// The server function as it runs in a cluster: its own process, fed CloudEvents by Knative's real
// ApiServerSource adapter (its kind plus its labelled children, Secrets and ConfigMaps), and by pings.
describe('the server function, driven by the real event source', () => {
  const namespace = useNamespace('server-fn');
  const kube = clients();
  let running: FunctionUnderTest;
  let fn: RunningFunction;
  const base = () => `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers`;
  const deploymentPath = (name: string) => `/apis/apps/v1/namespaces/${namespace.name}/deployments/${name}`;

  const readServer = (name: string) =>
    kubeRequest<Server>(kube.config, { method: 'GET', path: `${base()}/${name}` });
  const readDeployment = (name: string) =>
    kubeRequest<{
      spec: { replicas: number; template: { metadata: { annotations: Record<string, string> } } };
    }>(kube.config, { method: 'GET', path: deploymentPath(name) });

  function server(name: string, spec: Record<string, unknown>) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name, namespace: namespace.name },
      spec: { image: 'ghcr.io/example/tools:1.0.0', ...spec },
    };
  }

  async function eventually<T>(check: () => Promise<T>, timeout = 30_000): Promise<T> {
    return vi.waitFor(check, { timeout, interval: 250 });
  }

  beforeAll(async () => {
    await installCrds(kube);
    running = await startWithEventSource({
      name: 'server',
      clients: kube,
      namespace: namespace.name,
      wiring,
      probe: {
        create: (name) => apply(kube, server(name, {})),
        reconciled: async (name) => (await readServer(name)).status?.phase !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: `${base()}/${name}` }),
      },
    });
    fn = running.fn;
  }, 90_000);

  afterAll(async () => {
    await running.stop();
  });

  it('renders a Deployment, Service and NetworkPolicy, and reports Running once KWOK makes the pods ready', async () => {
    await apply(kube, server('tools', { replicas: 2, federate: { gatewayRef: { name: 'gw' } } }));
    const ready = await eventually(async () => {
      const current = await readServer('tools');
      expect(current.status?.phase).toBe('Running');
      return current;
    });
    expect(ready.status?.readyReplicas).toBe(2);
    expect(ready.status?.url).toBe(`http://tools.${namespace.name}.svc.cluster.local:8080/mcp`);
    expect(ready.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Running',
    });
    const policy = await kubeRequest<{ spec: { ingress: { from: unknown[] }[] } }>(kube.config, {
      method: 'GET',
      path: `/apis/networking.k8s.io/v1/namespaces/${namespace.name}/networkpolicies/tools`,
    });
    expect(policy.spec.ingress[0]?.from).toEqual([
      { podSelector: { matchLabels: { 'mcpg.dev/mcpggateway': 'gw' } } },
    ]);
    const service = await kube.core.readNamespacedService({ name: 'tools', namespace: namespace.name });
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 8080, targetPort: 'mcp' });
  });

  it('rolls the pods when a Secret the server reads changes', async () => {
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name: 'token' }, stringData: { TOKEN: 'one' } },
    });
    await apply(kube, server('with-secret', { envFrom: [{ secretRef: { name: 'token' } }] }));
    const first = await eventually(async () => {
      const hash = (await readDeployment('with-secret')).spec.template.metadata.annotations[
        'mcpg.dev/env-hash'
      ];
      expect(hash).toMatch(/^[a-f0-9]{64}$/);
      return hash;
    });
    await kube.core.replaceNamespacedSecret({
      name: 'token',
      namespace: namespace.name,
      body: { metadata: { name: 'token' }, stringData: { TOKEN: 'two' } },
    });
    await eventually(async () => {
      const hash = (await readDeployment('with-secret')).spec.template.metadata.annotations[
        'mcpg.dev/env-hash'
      ];
      expect(hash).not.toBe(first);
    });
  });

  it('restores a deleted Service and a drifted replica count, and keeps a rollout restart', async () => {
    await eventually(async () => {
      expect((await readServer('tools')).status?.phase).toBe('Running');
    });
    await kube.core.deleteNamespacedService({ name: 'tools', namespace: namespace.name });
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: deploymentPath('tools'),
      body: { spec: { replicas: 5 }, metadata: {} },
      contentType: 'application/merge-patch+json',
    });
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: deploymentPath('tools'),
      body: {
        spec: {
          template: {
            metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T00:00:00Z' } },
          },
        },
      },
      contentType: 'application/merge-patch+json',
    });
    await eventually(async () => {
      await kube.core.readNamespacedService({ name: 'tools', namespace: namespace.name });
      const deployment = await readDeployment('tools');
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(
        '2026-11-22T00:00:00Z',
      );
    });
  });

  it('makes no API write when a resync finds nothing changed', async () => {
    await eventually(async () => {
      expect((await readServer('tools')).status?.phase).toBe('Running');
      expect((await readServer('with-secret')).status?.phase).toBe('Running');
    });
    // Let the event stream settle: a first resync may still catch up on status.
    expect(await fn.ping()).toBe(204);
    await eventually(async () => {
      const before = await fn.metric('mcpg_kube_api_requests', { verb: 'write' });
      expect(await fn.ping()).toBe(204);
      expect(await fn.metric('mcpg_kube_api_requests', { verb: 'write' })).toBe(before);
    });
  });

  it('answers malformed and foreign events by the reply contract', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${fn.url}/`, { method: 'POST', headers, body }).then((r) => r.status);
    expect(await post({ 'content-type': 'application/json' }, '{"not":"an event"}')).toBe(400);
    expect(
      await post(
        {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': '1',
          'ce-source': 's',
          'ce-type': 'com.example.other',
        },
        '{}',
      ),
    ).toBe(400);
    // An event for an object that no longer exists is done, not an error.
    expect(
      await post(
        {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': '2',
          'ce-source': 's',
          'ce-type': 'dev.knative.apiserver.resource.delete',
          'ce-apiversion': 'mcpg.dev/v1alpha2',
          'ce-kind': 'MCPGServer',
          'ce-name': 'never-existed',
          'ce-namespace': namespace.name,
        },
        JSON.stringify({
          apiVersion: 'mcpg.dev/v1alpha2',
          kind: 'MCPGServer',
          metadata: { name: 'never-existed', namespace: namespace.name },
        }),
      ),
    ).toBe(204);
  });
});
