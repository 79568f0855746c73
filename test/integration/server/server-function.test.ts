import { kubeRequest } from '@mcpg-functions/shared/kube';
import { describe, expect, it, vi } from 'vitest';
import { WATCHED } from '@mcpg-functions/shared/knative';
import { apply } from '../support/crds.ts';
import { useServerFunction } from '../support/server-function.ts';

// The server function as it runs in a cluster: its own process, fed CloudEvents by Knative's real
// ApiServerSource adapter (its kind plus its labelled children, Secrets and ConfigMaps), and by pings.
describe('the server function, driven by the real event source', () => {
  const bed = useServerFunction('server-fn');
  const { kube } = bed;
  const deploymentPath = (name: string) => `/apis/apps/v1/namespaces/${bed.namespace}/deployments/${name}`;

  const readDeployment = (name: string) =>
    kubeRequest<{
      spec: { replicas: number; template: { metadata: { annotations: Record<string, string> } } };
    }>(kube.config, { method: 'GET', path: deploymentPath(name) });
  const envHash = async (name: string) =>
    (await readDeployment(name)).spec.template.metadata.annotations['mcpg.dev/env-hash'];

  async function eventually<T>(check: () => Promise<T>, timeout = 30_000): Promise<T> {
    return vi.waitFor(check, { timeout, interval: 250 });
  }

  it('renders a Deployment, Service and NetworkPolicy, and reports Running once KWOK makes the pods ready', async () => {
    await apply(kube, bed.server('tools', { replicas: 2, federate: { gatewayRef: { name: 'gw' } } }));
    const ready = await eventually(async () => {
      const current = await bed.read('tools');
      expect(current.status?.phase).toBe('Running');
      return current;
    });
    expect(ready.status?.readyReplicas).toBe(2);
    expect(ready.status?.url).toBe(`http://tools.${bed.namespace}.svc.cluster.local:8080/mcp`);
    expect(ready.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Running',
    });
    const policy = await kubeRequest<{ spec: { ingress: { from: unknown[] }[] } }>(kube.config, {
      method: 'GET',
      path: `/apis/networking.k8s.io/v1/namespaces/${bed.namespace}/networkpolicies/tools`,
    });
    expect(policy.spec.ingress[0]?.from).toEqual([
      { podSelector: { matchLabels: { 'mcpg.dev/mcpggateway': 'gw' } } },
    ]);
    const service = await kube.core.readNamespacedService({ name: 'tools', namespace: bed.namespace });
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 8080, targetPort: 'mcp' });
  });

  it('tells a user about a new server with two Events, one when it is created and one when it runs', async () => {
    await apply(kube, bed.server('announced', { replicas: 2 }));
    await eventually(async () => {
      expect((await bed.read('announced')).status?.phase).toBe('Running');
    });
    // Whatever arrives late (pods settling, a resync) is no change to announce.
    expect(await bed.running.fn.ping()).toBe(204);
    const events = await kubeRequest<{
      items: {
        eventTime: string;
        type: string;
        reason: string;
        note: string;
        regarding: { name: string; kind: string };
      }[];
    }>(kube.config, { method: 'GET', path: `/apis/events.k8s.io/v1/namespaces/${bed.namespace}/events` });
    const about = events.items
      .filter((e) => e.regarding.kind === 'MCPGServer' && e.regarding.name === 'announced')
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime))
      .map((e) => ({ type: e.type, reason: e.reason, note: e.note }));
    expect(about).toHaveLength(2);
    expect(about[0]?.note).toMatch(/^Ready is False/);
    expect(about[1]).toEqual({
      type: 'Normal',
      reason: 'Running',
      note: 'Ready is True: 2/2 replicas available',
    });
  });

  it('rolls the pods when a labelled Secret the server reads changes (its event carries only a reference)', async () => {
    await kube.core.createNamespacedSecret({
      namespace: bed.namespace,
      body: { metadata: { name: 'token', labels: WATCHED }, stringData: { TOKEN: 'one' } },
    });
    await apply(kube, bed.server('with-secret', { envFrom: [{ secretRef: { name: 'token' } }] }));
    const first = await eventually(async () => {
      const hash = await envHash('with-secret');
      expect(hash).toMatch(/^[a-f0-9]{64}$/);
      return hash;
    });
    await kube.core.replaceNamespacedSecret({
      name: 'token',
      namespace: bed.namespace,
      body: { metadata: { name: 'token', labels: WATCHED }, stringData: { TOKEN: 'two' } },
    });
    await eventually(async () => {
      const hash = await envHash('with-secret');
      expect(hash).not.toBe(first);
    });
    // The Deployment controller rolls a new ReplicaSet: the pod template hash changed.
    await eventually(async () => {
      const sets = await kube.apps.listNamespacedReplicaSet({
        namespace: bed.namespace,
        labelSelector: 'mcpg.dev/mcpgserver=with-secret',
      });
      const hashes = new Set(sets.items.map((r) => r.metadata?.labels?.['pod-template-hash']));
      expect(hashes.size).toBeGreaterThanOrEqual(2);
    });
  });

  it('does not wake for a change to a Secret nobody labelled', async () => {
    await kube.core.createNamespacedSecret({
      namespace: bed.namespace,
      body: { metadata: { name: 'unlabelled' }, stringData: { TOKEN: 'one' } },
    });
    await apply(kube, bed.server('with-unlabelled', { envFrom: [{ secretRef: { name: 'unlabelled' } }] }));
    const first = await eventually(async () => {
      const hash = await envHash('with-unlabelled');
      expect(hash).toMatch(/^[a-f0-9]{64}$/);
      return hash;
    });
    // Its status says why, and what to do.
    const status = await eventually(async () => {
      const found = (await bed.read('with-unlabelled')).status?.conditions?.find(
        (c) => c.type === 'EnvironmentWatched',
      );
      expect(found).toBeDefined();
      return found;
    });
    expect(status).toMatchObject({
      status: 'False',
      reason: 'NotLabelled',
      message: expect.stringContaining(
        'Secret unlabelled roll the pods only at the next resync; label them mcpg.dev/watch=true',
      ) as unknown,
    });
    const rolled = await envHash('with-secret');
    await kube.core.replaceNamespacedSecret({
      name: 'unlabelled',
      namespace: bed.namespace,
      body: { metadata: { name: 'unlabelled' }, stringData: { TOKEN: 'two' } },
    });
    // A labelled Secret changed after it shows the function has heard everything sent before.
    await kube.core.replaceNamespacedSecret({
      name: 'token',
      namespace: bed.namespace,
      body: { metadata: { name: 'token', labels: WATCHED }, stringData: { TOKEN: 'three' } },
    });
    await eventually(async () => {
      expect(await envHash('with-secret')).not.toBe(rolled);
    });
    expect(await envHash('with-unlabelled')).toBe(first);
    // The next resync picks it up.
    expect(await bed.running.fn.ping()).toBe(204);
    await eventually(async () => {
      const hash = await envHash('with-unlabelled');
      expect(hash).not.toBe(first);
    });
  });

  it('restores a deleted Service and a drifted replica count, and keeps a rollout restart', async () => {
    await eventually(async () => {
      expect((await bed.read('tools')).status?.phase).toBe('Running');
    });
    await kube.core.deleteNamespacedService({ name: 'tools', namespace: bed.namespace });
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
      await kube.core.readNamespacedService({ name: 'tools', namespace: bed.namespace });
      const deployment = await readDeployment('tools');
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(
        '2026-11-22T00:00:00Z',
      );
    });
  });

  it('makes no API write when a resync finds nothing changed', async () => {
    await eventually(async () => {
      expect((await bed.read('tools')).status?.phase).toBe('Running');
      expect((await bed.read('with-secret')).status?.phase).toBe('Running');
    });
    // Let the event stream settle: a first resync may still catch up on status.
    expect(await bed.running.fn.ping()).toBe(204);
    await eventually(async () => {
      const before = await bed.running.fn.metric('mcpg_kube_api_requests', { verb: 'write' });
      expect(await bed.running.fn.ping()).toBe(204);
      expect(await bed.running.fn.metric('mcpg_kube_api_requests', { verb: 'write' })).toBe(before);
    });
  });

  it('answers malformed and foreign events by the reply contract', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${bed.running.fn.url}/`, { method: 'POST', headers, body }).then((r) => r.status);
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
          'ce-namespace': bed.namespace,
        },
        JSON.stringify({
          apiVersion: 'mcpg.dev/v1alpha2',
          kind: 'MCPGServer',
          metadata: { name: 'never-existed', namespace: bed.namespace },
        }),
      ),
    ).toBe(204);
  });
});
