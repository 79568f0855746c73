import { randomBytes } from 'node:crypto';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { wiring } from '@mcpg-functions/cluster/wiring';
import { clients } from '../support/cluster.ts';
import { GATEWAY_CONFIG_LABELS } from '@mcpg-functions/shared/knative';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';

interface Cluster {
  metadata: { resourceVersion: string };
  status?: {
    pluginId?: string;
    boundGateways?: number;
    configHash?: string;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

// The cluster function in its own process, fed by Knative's real ApiServerSource adapter: gateways in this
// file's two namespaces, and its MCPGClusters and MCPGPlugins (cluster-scoped, narrowed to this file's label).
describe('the cluster function, driven by the real event source', () => {
  const kube = clients();
  const run = `cluster-fn-${randomBytes(3).toString('hex')}`;
  const runLabel = { 'mcpg.dev/test-run': run };
  const ns = (suffix: string) => `${run}-${suffix}`;
  const named = (suffix: string) => `${run}-${suffix}`;
  let running: FunctionUnderTest;

  const clusterPath = (name: string) => `/apis/mcpg.dev/v1alpha2/mcpgclusters/${name}`;
  const pluginPath = (name: string) => `/apis/mcpg.dev/v1alpha2/mcpgplugins/${name}`;
  const readCluster = (name: string) =>
    kubeRequest<Cluster>(kube.config, { method: 'GET', path: clusterPath(name) });
  const condition = (c: Cluster, type: string) => c.status?.conditions?.find((x) => x.type === type);
  const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 250 });

  function cluster(suffix: string, spec: Record<string, unknown>) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGCluster',
      metadata: { name: named(suffix), labels: runLabel },
      spec,
    };
  }

  const redis = (more: Record<string, unknown> = {}) =>
    cluster('redis', {
      backend: 'redis',
      config: { url: 'rediss://redis.mcpg.svc:6380' },
      pluginRef: { name: named('redis-plugin') },
      credentialRefs: [{ name: 'redis-password', secretName: 'redis-auth', key: 'password' }],
      ...more,
    });

  function gateway(namespace: string, name: string, clusterName: string) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGGateway',
      metadata: { name, namespace },
      spec: { replicas: 1, config: {}, clusterRef: { name: clusterName } },
    };
  }

  /**
   * A gateway as the gateway function leaves it: with its config ConfigMap, whose events are how other functions
   * follow gateways (Knative cannot watch MCPGGateway itself).
   */
  async function renderedGateway(namespace: string, name: string, clusterName: string) {
    const created = (await apply(kube, gateway(namespace, name, clusterName))) as unknown as {
      metadata: { uid: string };
    };
    const { uid } = created.metadata;
    await kube.core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: `${name}-config`,
          labels: GATEWAY_CONFIG_LABELS,
          ownerReferences: [
            {
              apiVersion: 'mcpg.dev/v1alpha2',
              kind: 'MCPGGateway',
              name,
              uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        data: { 'config.yaml': `cluster: ${clusterName}\n` },
      },
    });
  }

  async function setPluginReady(ready: boolean, revoked = false) {
    const now = new Date().toISOString();
    const current = await kubeRequest<{ metadata: { generation: number } }>(kube.config, {
      method: 'GET',
      path: pluginPath(named('redis-plugin')),
    });
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: `${pluginPath(named('redis-plugin'))}/status`,
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          observedGeneration: current.metadata.generation,
          revokedBySha: revoked,
          conditions: [
            {
              type: 'Ready',
              status: ready ? 'True' : 'False',
              reason: ready ? 'Reconciled' : 'ArtefactRevoked',
              lastTransitionTime: now,
            },
          ],
        },
      },
    });
  }

  beforeAll(async () => {
    await installCrds(kube);
    for (const suffix of ['a', 'b'])
      await kube.core.createNamespace({ body: { metadata: { name: ns(suffix) } } });
    running = await startWithEventSource({
      name: 'cluster',
      clients: kube,
      namespace: ns('a'),
      moreNamespaces: [ns('b')],
      wiring,
      clusterScopedLabels: runLabel,
      probe: {
        create: (name) => apply(kube, cluster(name, { backend: 'single_node' })),
        reconciled: async (name) => (await readCluster(named(name))).status?.configHash !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: clusterPath(named(name)) }),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await running.stop();
    for (const path of [clusterPath(named('redis')), pluginPath(named('redis-plugin'))]) {
      await kubeRequest(kube.config, { method: 'DELETE', path }).catch(() => undefined);
    }
    for (const suffix of ['a', 'b'])
      await kube.core.deleteNamespace({ name: ns(suffix) }).catch(() => undefined);
  });

  it('renders the backend block hash and plugin id, and is not Ready while its plugin is missing or not ready', async () => {
    await apply(kube, redis());
    const missing = await eventually(async () => {
      const current = await readCluster(named('redis'));
      expect(condition(current, 'Ready')?.reason).toBe('ClusterPluginNotFound');
      return current;
    });
    expect(missing.status).toMatchObject({ pluginId: 'dev.mcpg.cluster.redis', boundGateways: 0 });
    expect(missing.status?.configHash).toMatch(/^[a-f0-9]{64}$/);
    expect(condition(missing, 'Ready')?.message).toContain(
      `MCPGPlugin "${named('redis-plugin')}", which does not exist`,
    );

    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name: named('redis-plugin'), labels: runLabel },
      spec: {
        pluginId: 'dev.mcpg.cluster.redis',
        version: '1.0.0',
        pluginClass: 'cluster',
        oci: { image: `registry.local/plugins/cluster-redis:1.0.0@sha256:${'1'.repeat(64)}` },
        trust: { signingKeyRef: { secretName: 'release-key' } },
      },
    });
    await eventually(async () => {
      expect(condition(await readCluster(named('redis')), 'Ready')?.reason).toBe('ClusterPluginNotReady');
    });
    await setPluginReady(true);
    await eventually(async () => {
      expect(condition(await readCluster(named('redis')), 'Ready')).toMatchObject({
        status: 'True',
        reason: 'Reconciled',
      });
    });
  });

  it('counts the gateways bound to it across namespaces and reports their missing credential Secrets', async () => {
    await renderedGateway(ns('a'), 'gw-1', named('redis'));
    await renderedGateway(ns('b'), 'gw-2', named('redis'));
    await renderedGateway(ns('b'), 'elsewhere', named('other'));
    const unbacked = await eventually(async () => {
      const current = await readCluster(named('redis'));
      expect(current.status?.boundGateways).toBe(2);
      expect(condition(current, 'Ready')?.reason).toBe('CredentialSecretMissing');
      return current;
    });
    expect(condition(unbacked, 'CredentialsAvailable')?.message).toContain(
      `Secret ${ns('a')}/redis-auth (credential redis-password) does not exist`,
    );
    for (const namespace of [ns('a'), ns('b')]) {
      await kube.core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name: 'redis-auth' },
          stringData: namespace === ns('a') ? { password: 'x' } : { other: 'x' },
        },
      });
    }
    // Secrets are not watched (their events would carry their data): the periodic resync sees them.
    expect(await running.fn.ping()).toBe(204);
    await eventually(async () => {
      const current = await readCluster(named('redis'));
      expect(condition(current, 'CredentialsAvailable')?.message).toBe(
        `Secret ${ns('b')}/redis-auth has no key password (credential redis-password); create them in every namespace with a bound gateway`,
      );
    });

    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${ns('b')}/mcpggateways/gw-2`,
    });
    await eventually(async () => {
      const current = await readCluster(named('redis'));
      expect(current.status?.boundGateways).toBe(1);
      expect(condition(current, 'Ready')).toMatchObject({ status: 'True', message: '1 gateways bound' });
    });
  });

  it('turns not Ready when its plugin is revoked, and writes nothing on an unchanged resync', async () => {
    await setPluginReady(false, true);
    const revoked = await eventually(async () => {
      const current = await readCluster(named('redis'));
      expect(condition(current, 'PluginReady')).toMatchObject({
        status: 'False',
        reason: 'ClusterPluginNotReady',
      });
      return current;
    });
    expect(condition(revoked, 'PluginReady')?.message).toContain('is revoked');
    expect(await running.fn.ping()).toBe(204);
    expect(await running.fn.ping()).toBe(204);
    expect((await readCluster(named('redis'))).metadata.resourceVersion).toBe(
      revoked.metadata.resourceVersion,
    );
  });
});
