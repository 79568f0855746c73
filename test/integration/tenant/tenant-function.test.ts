import { randomBytes } from 'node:crypto';
import { TENANT_OPT_IN_LABEL } from '@mcpg-functions/shared/api';
import { kubeRequest, ObjectClient } from '@mcpg-functions/shared/kube';
import { createLogger, ReconcileDriver } from '@mcpg-functions/shared/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tenantReconciler } from '@mcpg-functions/tenant/reconcile';
import { wiring } from '@mcpg-functions/tenant/wiring';
import { clients } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';

interface Tenant {
  metadata: { name: string; finalizers?: string[] };
  status?: {
    boundNamespaces?: string[];
    observed?: { gateways: number; pluginSets: number; routes: number };
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

// The tenant function in its own process, fed by Knative's real ApiServerSource adapter: the contents of this
// file's namespaces, and (cluster-wide, narrowed to this file's label) its tenants and namespaces. The
// controller-manager's garbage collector runs too, so what owner references remove is really removed.
describe('the tenant function, driven by the real event source', () => {
  const kube = clients();
  const run = `tenant-fn-${randomBytes(3).toString('hex')}`;
  const runLabel = { 'mcpg.dev/test-run': run };
  const ns = (suffix: string) => `${run}-${suffix}`;
  const tenantName = (suffix: string) => `${run}-${suffix}`;
  let running: FunctionUnderTest;

  const tenantPath = (name: string) => `/apis/mcpg.dev/v1alpha2/mcpgtenants/${name}`;
  const readTenant = (name: string) =>
    kubeRequest<Tenant>(kube.config, { method: 'GET', path: tenantPath(name) });
  const condition = (t: Tenant, type: string) => t.status?.conditions?.find((c) => c.type === type);
  const namespaceLabel = async (name: string) =>
    (await kube.core.readNamespace({ name })).metadata?.labels?.['mcpg.dev/tenant'];
  const exists = (path: string) =>
    kubeRequest(kube.config, { method: 'GET', path }).then(
      () => true,
      (error: unknown) => {
        if (String(error).includes('404')) return false;
        throw error;
      },
    );
  const rolePath = (namespace: string, tenant: string) =>
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles/mcpg-tenant-${tenant}`;
  const bindingPath = (namespace: string, tenant: string) =>
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings/mcpg-tenant-${tenant}`;
  const quotaPath = (namespace: string, tenant: string) =>
    `/api/v1/namespaces/${namespace}/resourcequotas/mcpg-tenant-${tenant}`;
  const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 250 });

  function tenant(suffix: string, spec: Record<string, unknown>) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGTenant',
      metadata: { name: tenantName(suffix), labels: runLabel },
      spec,
    };
  }

  const createNamespace = (name: string) =>
    kube.core.createNamespace({
      body: { metadata: { name, labels: { ...runLabel, [TENANT_OPT_IN_LABEL]: 'true' } } },
    });

  function gateway(namespace: string, name: string, replicas: number) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGGateway',
      metadata: { name, namespace },
      spec: { replicas, config: {} },
    };
  }

  /**
   * A ResourceQuota refuses the objects it counts until the quota controller has computed their usage, which for
   * a custom resource it can do only after its periodic discovery has found the CRD; and a quota created before
   * that waits for the next full quota resync (minutes). So wait until a fresh quota counts gateways.
   */
  async function waitUntilQuotasCountGateways(namespace: string) {
    const path = `/api/v1/namespaces/${namespace}/resourcequotas`;
    let attempt = 0;
    await vi.waitFor(
      async () => {
        attempt += 1;
        const name = `discovery-probe-${attempt}`;
        await kubeRequest(kube.config, {
          method: 'POST',
          path,
          body: { metadata: { name }, spec: { hard: { 'count/mcpggateways.mcpg.dev': '100' } } },
        });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const quota = await kubeRequest<{ status?: { used?: Record<string, string> } }>(kube.config, {
          method: 'GET',
          path: `${path}/${name}`,
        });
        await kubeRequest(kube.config, { method: 'DELETE', path: `${path}/${name}` });
        expect(quota.status?.used?.['count/mcpggateways.mcpg.dev']).toBeDefined();
      },
      { timeout: 80_000, interval: 1_000 },
    );
  }

  beforeAll(async () => {
    await installCrds(kube);
    for (const suffix of ['a', 'b', 'probe']) await createNamespace(ns(suffix));
    await waitUntilQuotasCountGateways(ns('probe'));
    running = await startWithEventSource({
      name: 'tenant',
      clients: kube,
      namespace: ns('a'),
      moreNamespaces: [ns('b'), ns('c')],
      wiring,
      clusterScopedLabels: runLabel,
      probe: {
        create: (name) => apply(kube, tenant(name, { namespaces: [ns('probe')] })),
        reconciled: async (name) => (await readTenant(tenantName(name))).status?.conditions !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: tenantPath(tenantName(name)) }),
      },
    });
  }, 180_000);

  afterAll(async () => {
    await running.stop();
    for (const name of ['first', 'second']) {
      await kubeRequest(kube.config, {
        method: 'PATCH',
        path: tenantPath(tenantName(name)),
        body: { metadata: { finalizers: null } },
        contentType: 'application/merge-patch+json',
      }).catch(() => undefined);
      await kubeRequest(kube.config, { method: 'DELETE', path: tenantPath(tenantName(name)) }).catch(
        () => undefined,
      );
    }
    for (const suffix of ['a', 'b', 'c', 'probe'])
      await kube.core.deleteNamespace({ name: ns(suffix) }).catch(() => undefined);
  });

  it('labels its namespaces and gives each a ResourceQuota, Role and RoleBinding; a namespace created later is bound too', async () => {
    await apply(
      kube,
      tenant('first', {
        namespaces: [ns('a'), ns('b'), ns('c')],
        quotas: { maxGateways: 3, maxReplicasPerGateway: 4 },
      }),
    );
    const first = await eventually(async () => {
      const current = await readTenant(tenantName('first'));
      expect(current.status?.boundNamespaces).toEqual([ns('a'), ns('b')]);
      return current;
    });
    expect(first.metadata.finalizers).toContain('mcpg.dev/tenant');
    expect(condition(first, 'NamespacesBound')).toMatchObject({
      status: 'False',
      reason: 'NamespaceMissing',
    });
    expect(condition(first, 'NamespacesBound')?.message).toContain(`namespaces ${ns('c')} do not exist`);
    for (const namespace of [ns('a'), ns('b')]) {
      expect(await namespaceLabel(namespace)).toBe(tenantName('first'));
      const quota = await kubeRequest<{ spec: { hard: Record<string, string> } }>(kube.config, {
        method: 'GET',
        path: quotaPath(namespace, tenantName('first')),
      });
      expect(quota.spec.hard).toEqual({ 'count/mcpggateways.mcpg.dev': '3' });
      const binding = await kubeRequest<{ subjects: { kind: string; name: string }[] }>(kube.config, {
        method: 'GET',
        path: bindingPath(namespace, tenantName('first')),
      });
      expect(binding.subjects).toEqual([
        expect.objectContaining({ kind: 'Group', name: `mcpg.dev:tenant:${tenantName('first')}` }),
      ]);
      expect(await exists(rolePath(namespace, tenantName('first')))).toBe(true);
    }

    await createNamespace(ns('c'));
    await eventually(async () => {
      const current = await readTenant(tenantName('first'));
      expect(current.status?.boundNamespaces).toEqual([ns('a'), ns('b'), ns('c')]);
      expect(condition(current, 'Ready')).toMatchObject({ status: 'True', reason: 'Reconciled' });
      expect(await namespaceLabel(ns('c'))).toBe(tenantName('first'));
    });
  });

  it(
    'reports gateways above the quota and replica cap with a condition and an Event, changing nothing that runs',
    { timeout: 150_000 },
    async () => {
      // A ResourceQuota refuses the objects it counts until the quota controller has computed its usage, which
      // for a custom resource it can do only once its periodic discovery (30 s) has found the CRD.
      const quotaCounting = { timeout: 90_000, interval: 1_000 };
      await vi.waitFor(() => apply(kube, gateway(ns('a'), 'one', 2)), quotaCounting);
      await vi.waitFor(() => apply(kube, gateway(ns('b'), 'two', 6)), quotaCounting);
      await eventually(async () => {
        const current = await readTenant(tenantName('first'));
        expect(current.status?.observed?.gateways).toBe(2);
        expect(condition(current, 'QuotaWithinLimits')?.message).toContain(
          `MCPGGateway ${ns('b')}/two can run 6 replicas, above quotas.maxReplicasPerGateway 4`,
        );
      });
      const before = await kubeRequest<{ metadata: { resourceVersion: string } }>(kube.config, {
        method: 'GET',
        path: `/apis/mcpg.dev/v1alpha2/namespaces/${ns('a')}/mcpggateways/one`,
      });
      // Lower the count below what exists: the ResourceQuota now refuses new gateways; the existing ones stay.
      await apply(
        kube,
        tenant('first', {
          namespaces: [ns('a'), ns('b'), ns('c')],
          quotas: { maxGateways: 1, maxReplicasPerGateway: 4 },
        }),
      );
      const over = await eventually(async () => {
        const current = await readTenant(tenantName('first'));
        expect(condition(current, 'QuotaWithinLimits')?.message).toContain('2 MCPGGateways');
        return current;
      });
      expect(condition(over, 'QuotaWithinLimits')).toMatchObject({
        status: 'False',
        reason: 'QuotaExceeded',
      });
      expect(condition(over, 'Ready')).toMatchObject({ status: 'False', reason: 'QuotaExceeded' });
      const after = await kubeRequest<{ metadata: { resourceVersion: string } }>(kube.config, {
        method: 'GET',
        path: `/apis/mcpg.dev/v1alpha2/namespaces/${ns('a')}/mcpggateways/one`,
      });
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      const events = await kubeRequest<{ items: { reason: string; regarding: { name: string } }[] }>(
        kube.config,
        {
          method: 'GET',
          path: '/apis/events.k8s.io/v1/namespaces/default/events',
        },
      );
      expect(
        events.items.filter((e) => e.regarding.name === tenantName('first')).map((e) => e.reason),
      ).toContain('QuotaExceeded');
    },
  );

  it('reports a plugin set using a plugin outside the allowlist', async () => {
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPluginSet',
      metadata: { name: 'unlisted', namespace: ns('b') },
      spec: { entries: [{ id: 'dev.mcpg.policy.opa', pluginRef: { name: 'policy-opa' } }] },
    });
    await eventually(async () => {
      const current = await readTenant(tenantName('first'));
      expect(current.status?.observed?.pluginSets).toBe(1);
      expect(condition(current, 'PluginsAllowed')).toMatchObject({
        status: 'False',
        reason: 'PluginNotAllowed',
        message: expect.stringContaining(
          `MCPGPluginSet ${ns('b')}/unlisted uses dev.mcpg.policy.opa (MCPGPlugin policy-opa), which is not allowed`,
        ) as unknown,
      });
    });
  });

  it('leaves a namespace to the older tenant when two claim it, and hands it over when the older one goes', async () => {
    await apply(kube, tenant('second', { namespaces: [ns('a')] }));
    const second = await eventually(async () => {
      const current = await readTenant(tenantName('second'));
      expect(condition(current, 'Conflict')?.status).toBe('True');
      return current;
    });
    expect(condition(second, 'Conflict')).toMatchObject({ reason: 'NamespaceClaimedByOlderTenant' });
    expect(condition(second, 'Conflict')?.message).toContain(
      `namespace ${ns('a')} belongs to tenant ${tenantName('first')}`,
    );
    expect(condition(second, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NamespaceClaimedByOlderTenant',
    });
    expect(second.status?.boundNamespaces).toEqual([]);
    expect(await namespaceLabel(ns('a'))).toBe(tenantName('first'));
    expect(await exists(rolePath(ns('a'), tenantName('second')))).toBe(false);

    // Deleting the older tenant: its label, quota and RBAC go before it does (finalizer), and the newer tenant
    // takes the namespace over.
    await kubeRequest(kube.config, { method: 'DELETE', path: tenantPath(tenantName('first')) });
    await eventually(async () => {
      expect(await exists(tenantPath(tenantName('first')))).toBe(false);
      expect(await namespaceLabel(ns('b'))).toBeUndefined();
      expect(await namespaceLabel(ns('c'))).toBeUndefined();
      for (const namespace of [ns('a'), ns('b'), ns('c')]) {
        expect(await exists(quotaPath(namespace, tenantName('first')))).toBe(false);
        expect(await exists(rolePath(namespace, tenantName('first')))).toBe(false);
        expect(await exists(bindingPath(namespace, tenantName('first')))).toBe(false);
      }
    });
    await eventually(async () => {
      const current = await readTenant(tenantName('second'));
      expect(current.status?.boundNamespaces).toEqual([ns('a')]);
      expect(condition(current, 'Conflict')?.status).toBe('False');
      expect(await namespaceLabel(ns('a'))).toBe(tenantName('second'));
      expect(await exists(rolePath(ns('a'), tenantName('second')))).toBe(true);
    });
  });

  it('unlabels and unfences a namespace removed from the spec, and a repeated pass writes nothing', async () => {
    await apply(kube, tenant('second', { namespaces: [ns('b')] }));
    await eventually(async () => {
      expect((await readTenant(tenantName('second'))).status?.boundNamespaces).toEqual([ns('b')]);
      expect(await namespaceLabel(ns('a'))).toBeUndefined();
      expect(await exists(rolePath(ns('a'), tenantName('second')))).toBe(false);
      expect(await exists(bindingPath(ns('a'), tenantName('second')))).toBe(false);
      expect(await namespaceLabel(ns('b'))).toBe(tenantName('second'));
    });
    const client = new ObjectClient(kube.config, 'mcpg-functions/tenant');
    const driver = new ReconcileDriver(tenantReconciler(), {
      client,
      log: createLogger('tenant-test', 'silent'),
    });
    expect(await driver.reconcileKey(driver.keyFor(tenantName('second')))).toBe('unchanged');
    expect(await driver.reconcileKey(driver.keyFor(tenantName('second')))).toBe('unchanged');
    expect(client.counts.writes).toBe(0);
  });
});
