import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { wiring } from '@mcpg-functions/plugin-set/wiring';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';

interface PluginSet {
  metadata: { name: string; resourceVersion: string };
  status?: {
    resolved?: {
      id: string;
      pluginRef: string;
      artifact: string;
      digest: string;
      enforce: boolean;
      capabilities?: string[];
    }[];
    resolvedEntries?: number;
    totalEntries?: number;
    resolvedHash?: string;
    failedEntries?: { id: string; reason: string; message?: string }[];
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

const hex = (c: string) => c.repeat(64);

// The plugin-set function in its own process, fed by Knative's real ApiServerSource adapter: plugin sets in the
// test's namespace, and MCPGPlugins (cluster-scoped) carrying this file's label. MCPGPlugin status is written
// through the status subresource, as the supply-chain function writes it.
describe('the plugin-set function, driven by the real event source', () => {
  const namespace = useNamespace('plugin-set-fn');
  const kube = clients();
  let running: FunctionUnderTest;
  const runLabel = () => ({ 'mcpg.dev/test-run': namespace.name });
  const pluginName = (short: string) => `${namespace.name}-${short}`;
  const setPath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgpluginsets/${name}`;
  const readSet = (name: string) =>
    kubeRequest<PluginSet>(kube.config, { method: 'GET', path: setPath(name) });
  const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 250 });

  function plugin(short: string, pluginId: string) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name: pluginName(short), labels: runLabel() },
      spec: {
        pluginId,
        version: '1.0.0',
        pluginClass: 'identity_provider',
        oci: { image: `registry.local/plugins/${short}:1.0.0@sha256:${hex('1')}` },
        trust: { signingKeyRef: { secretName: 'release-key' } },
      },
    };
  }

  /** Writes an MCPGPlugin's status the way the supply-chain function does once it verified (or revoked) it. */
  async function setPluginStatus(short: string, state: { verified?: boolean; revoked?: boolean } = {}) {
    const path = `/apis/mcpg.dev/v1alpha2/mcpgplugins/${pluginName(short)}`;
    const current = await kubeRequest<{ metadata: { generation: number } }>(kube.config, {
      method: 'GET',
      path,
    });
    const verified = state.verified ?? true;
    const revoked = state.revoked ?? false;
    const now = new Date().toISOString();
    const condition = (type: string, status: boolean, reason: string) => ({
      type,
      status: status ? 'True' : 'False',
      reason,
      lastTransitionTime: now,
    });
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: `${path}/status`,
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          observedGeneration: current.metadata.generation,
          artifact: `registry.local/plugins/${short}@sha256:${hex('2')}`,
          resolvedDigest: `sha256:${hex(short === 'policy' ? '4' : '3')}`,
          revokedBySha: revoked,
          conditions: [
            condition('Verified', verified, verified ? 'Reconciled' : 'SignatureFailed'),
            condition('Revoked', revoked, revoked ? 'ArtefactRevoked' : 'Reconciled'),
            condition(
              'Ready',
              verified && !revoked,
              verified && !revoked ? 'Reconciled' : 'VerificationFailed',
            ),
          ],
        },
      },
    });
  }

  function pluginSet(name: string, entries: Record<string, unknown>[], more: Record<string, unknown> = {}) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPluginSet',
      metadata: { name, namespace: namespace.name },
      spec: { entries, ...more },
    };
  }

  beforeAll(async () => {
    await installCrds(kube);
    for (const [short, id] of [
      ['identity', 'dev.mcpg.identity.workload'],
      ['policy', 'dev.mcpg.policy.opa'],
      ['audit', 'dev.mcpg.audit.stdout'],
    ] as const) {
      await apply(kube, plugin(short, id));
      await setPluginStatus(short);
    }
    running = await startWithEventSource({
      name: 'plugin-set',
      clients: kube,
      namespace: namespace.name,
      wiring,
      clusterScopedLabels: runLabel(),
      probe: {
        create: (name) =>
          apply(
            kube,
            pluginSet(name, [{ id: 'dev.mcpg.audit.stdout', pluginRef: { name: pluginName('audit') } }]),
          ),
        reconciled: async (name) => (await readSet(name)).status?.resolvedHash !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: setPath(name) }),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await running.stop();
    for (const short of ['identity', 'policy', 'audit', 'late']) {
      await kubeRequest(kube.config, {
        method: 'DELETE',
        path: `/apis/mcpg.dev/v1alpha2/mcpgplugins/${pluginName(short)}`,
      }).catch(() => undefined);
    }
  });

  it('resolves entries in order, passing enforce, config and capability grants through, counting a disabled entry', async () => {
    await apply(
      kube,
      pluginSet(
        'production',
        [
          { id: 'dev.mcpg.identity.workload', pluginRef: { name: pluginName('identity') } },
          {
            id: 'dev.mcpg.policy.opa',
            pluginRef: { name: pluginName('policy') },
            enforce: false,
            config: { bundle: 'payments' },
          },
          { id: 'dev.mcpg.audit.stdout', pluginRef: { name: pluginName('audit') }, enabled: false },
        ],
        { capabilityGrants: { 'dev.mcpg.policy.opa': ['network_outbound'] } },
      ),
    );
    const set = await eventually(async () => {
      const current = await readSet('production');
      expect(current.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      return current;
    });
    expect(set.status).toMatchObject({ resolvedEntries: 2, totalEntries: 3, failedEntries: [] });
    expect(set.status?.resolvedHash).toMatch(/^[a-f0-9]{64}$/);
    expect(set.status?.resolved).toEqual([
      {
        id: 'dev.mcpg.identity.workload',
        pluginRef: pluginName('identity'),
        artifact: `registry.local/plugins/identity@sha256:${hex('2')}`,
        digest: `sha256:${hex('3')}`,
        enforce: true,
      },
      {
        id: 'dev.mcpg.policy.opa',
        pluginRef: pluginName('policy'),
        artifact: `registry.local/plugins/policy@sha256:${hex('2')}`,
        digest: `sha256:${hex('4')}`,
        enforce: false,
        config: { bundle: 'payments' },
        capabilities: ['network_outbound'],
      },
    ]);
  });

  it('moves an entry to failedEntries when its plugin is revoked or unverified, touching only the sets that use it', async () => {
    await apply(
      kube,
      pluginSet('audit-only', [{ id: 'dev.mcpg.audit.stdout', pluginRef: { name: pluginName('audit') } }]),
    );
    const bystander = await eventually(async () => {
      const current = await readSet('audit-only');
      expect(current.status?.resolvedEntries).toBe(1);
      return current;
    });
    const before = await eventually(async () => {
      const current = await readSet('production');
      expect(current.status?.resolvedEntries).toBe(2);
      return current;
    });

    await setPluginStatus('policy', { revoked: true });
    const revoked = await eventually(async () => {
      const current = await readSet('production');
      expect(current.status?.failedEntries?.map((f) => [f.id, f.reason])).toEqual([
        ['dev.mcpg.policy.opa', 'PluginRevoked'],
      ]);
      return current;
    });
    expect(revoked.status?.resolved?.map((r) => r.id)).toEqual(['dev.mcpg.identity.workload']);
    expect(revoked.status?.resolvedHash).not.toBe(before.status?.resolvedHash);
    expect(revoked.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'EntriesFailed',
    });
    expect(revoked.status?.failedEntries?.[0]?.message).toContain('reference a release that is not revoked');

    await setPluginStatus('identity', { verified: false });
    await eventually(async () => {
      const current = await readSet('production');
      expect(current.status?.failedEntries?.map((f) => f.reason)).toEqual([
        'PluginNotVerified',
        'PluginRevoked',
      ]);
      expect(current.status?.resolvedEntries).toBe(0);
    });

    // The set that does not reference the changed plugins was never rewritten.
    expect((await readSet('audit-only')).metadata.resourceVersion).toBe(bystander.metadata.resourceVersion);

    // The Ready transition was recorded as an Event on the set.
    const events = await kubeRequest<{
      items: { reason: string; type: string; regarding: { name: string } }[];
    }>(kube.config, {
      method: 'GET',
      path: `/apis/events.k8s.io/v1/namespaces/${namespace.name}/events`,
    });
    expect(events.items).toContainEqual(
      expect.objectContaining({
        reason: 'EntriesFailed',
        type: 'Warning',
        regarding: expect.objectContaining({ name: 'production' }) as unknown,
      }),
    );

    await setPluginStatus('policy');
    await setPluginStatus('identity');
    await eventually(async () => {
      const current = await readSet('production');
      expect(current.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(current.status?.resolvedHash).toBe(before.status?.resolvedHash);
    });
  });

  it('reports a missing plugin and resolves the entry once the plugin appears and is verified', async () => {
    await apply(
      kube,
      pluginSet('waiting', [{ id: 'dev.mcpg.late.plugin', pluginRef: { name: pluginName('late') } }]),
    );
    await eventually(async () => {
      const current = await readSet('waiting');
      expect(current.status?.failedEntries).toEqual([
        expect.objectContaining({ id: 'dev.mcpg.late.plugin', reason: 'PluginNotFound' }),
      ]);
    });
    await apply(kube, plugin('late', 'dev.mcpg.late.plugin'));
    await eventually(async () => {
      expect((await readSet('waiting')).status?.failedEntries?.[0]).toMatchObject({
        reason: 'PluginNotReady',
        message: expect.stringContaining('has not been pulled and verified yet') as string,
      });
    });
    await setPluginStatus('late');
    await eventually(async () => {
      const current = await readSet('waiting');
      expect(current.status?.resolvedEntries).toBe(1);
      expect(current.status?.failedEntries).toEqual([]);
    });
  });

  it('reports an entry whose id differs from the plugin it names', async () => {
    await apply(
      kube,
      pluginSet('mismatch', [{ id: 'dev.mcpg.wrong.id', pluginRef: { name: pluginName('audit') } }]),
    );
    await eventually(async () => {
      const failed = (await readSet('mismatch')).status?.failedEntries ?? [];
      expect(failed.map((f) => f.reason)).toEqual(['PluginIdMismatch']);
      expect(failed[0]?.message).toContain(`provides "dev.mcpg.audit.stdout"`);
    });
  });

  it('writes nothing on a resync when nothing changed', async () => {
    const names = ['production', 'audit-only', 'waiting', 'mismatch'];
    const before = await Promise.all(names.map(async (n) => (await readSet(n)).metadata.resourceVersion));
    expect(await running.fn.ping()).toBe(204);
    expect(await running.fn.ping()).toBe(204);
    const after = await Promise.all(names.map(async (n) => (await readSet(n)).metadata.resourceVersion));
    expect(after).toEqual(before);
  });
});
