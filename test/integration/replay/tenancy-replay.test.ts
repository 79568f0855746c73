import { clusterReconciler } from '@mcpg-functions/cluster/reconcile';
import { pluginSetReconciler } from '@mcpg-functions/plugin-set/reconcile';
import { kubeRequest, type KubeObject } from '@mcpg-functions/shared/kube';
import { tenantReconciler } from '@mcpg-functions/tenant/reconcile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvents, type RecordedEvent } from '../../fixtures/events.ts';
import {
  pluginStatus,
  TENANCY_NAMES,
  tenancyCluster,
  tenancyNamespaced,
  tenancyPlugins,
  tenancyTenant,
} from '../../fixtures/tenancy-objects.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { optInNamespace } from '../support/tenant-namespaces.ts';
import { apply, installCrds } from '../support/crds.ts';
import { replayTarget } from '../support/replay.ts';

type Condition = { type: string; status: string; reason: string };

// CloudEvents recorded from Knative's real adapter (test/fixtures/recordings/tenancy.ts) while the plugin-set,
// cluster and tenant functions worked, replayed into all three in-process against the real API server, as a
// broker delivers every event to every trigger: each function must ignore what is not its business, and the
// end state must not depend on duplicates, order, or objects already gone.
describe('replaying recorded events into the plugin-set, cluster and tenant functions', () => {
  const namespace = useNamespace('replay-tenancy');
  const kube = clients();
  const functions = [
    replayTarget(pluginSetReconciler(), 'mcpg-functions/plugin-set'),
    replayTarget(clusterReconciler(), 'mcpg-functions/cluster'),
    replayTarget(tenantReconciler(), 'mcpg-functions/tenant'),
  ];
  const writes = () => functions.reduce((sum, f) => sum + f.client.counts.writes, 0);
  let events: RecordedEvent[];

  async function replay(list: RecordedEvent[]): Promise<number[]> {
    const statuses: number[] = [];
    for (const event of list) for (const fn of functions) statuses.push(...(await fn.replay([event])));
    return statuses;
  }

  const read = <T>(path: string) => kubeRequest<T>(kube.config, { method: 'GET', path });
  const conditionOf = (object: { status?: { conditions?: Condition[] } }, type: string) =>
    object.status?.conditions?.find((c) => c.type === type);
  const tenantPath = `/apis/mcpg.dev/v1alpha2/mcpgtenants/${TENANCY_NAMES.tenant}`;
  const isTenantDelete = (e: RecordedEvent) =>
    e.headers['ce-type']?.endsWith('.delete') === true && e.headers['ce-kind'] === 'MCPGTenant';
  const untilTenantDeleted = () => events.slice(0, events.findIndex(isTenantDelete));
  const tenantLabel = async () =>
    (await kube.core.readNamespace({ name: namespace.name })).metadata?.labels?.['mcpg.dev/tenant'];

  beforeAll(async () => {
    await installCrds(kube);
    events = loadEvents('tenancy', namespace.name);
    for (const plugin of tenancyPlugins()) {
      const created = await apply(kube, plugin);
      await kubeRequest(kube.config, {
        method: 'PATCH',
        path: `/apis/mcpg.dev/v1alpha2/mcpgplugins/${plugin.metadata.name}/status`,
        contentType: 'application/merge-patch+json',
        body: pluginStatus(
          plugin.metadata.name,
          (created as KubeObject).metadata.generation ?? 1,
          plugin.metadata.name === TENANCY_NAMES.identityPlugin,
        ),
      });
    }
    for (const object of tenancyNamespaced(namespace.name)) await apply(kube, object);
    await apply(kube, tenancyCluster());
    await optInNamespace(kube, namespace.name);
    await apply(kube, tenancyTenant(namespace.name));
  });

  afterAll(async () => {
    for (const path of [
      `/apis/mcpg.dev/v1alpha2/mcpgclusters/${TENANCY_NAMES.cluster}`,
      ...tenancyPlugins().map((p) => `/apis/mcpg.dev/v1alpha2/mcpgplugins/${p.metadata.name}`),
    ]) {
      await kubeRequest(kube.config, { method: 'DELETE', path }).catch(() => undefined);
    }
  });

  it('reaches the recorded end state from the stream, answering every event with 204', async () => {
    const stream = untilTenantDeleted();
    expect(stream.length).toBeGreaterThan(10);
    expect(await replay(stream)).toEqual(stream.flatMap(() => [204, 204, 204]));

    const set = await read<{ status?: { failedEntries?: { reason: string }[]; conditions?: Condition[] } }>(
      `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgpluginsets/${TENANCY_NAMES.pluginSet}`,
    );
    expect(set.status?.failedEntries?.map((f) => f.reason)).toEqual(['PluginRevoked']);

    const cluster = await read<{ status?: { boundGateways?: number; conditions?: Condition[] } }>(
      `/apis/mcpg.dev/v1alpha2/mcpgclusters/${TENANCY_NAMES.cluster}`,
    );
    expect(cluster.status?.boundGateways).toBe(1);
    expect(conditionOf(cluster, 'Ready')?.reason).toBe('CredentialSecretMissing');

    const tenant = await read<{ status?: { boundNamespaces?: string[]; conditions?: Condition[] } }>(
      tenantPath,
    );
    expect(tenant.status?.boundNamespaces).toEqual([namespace.name]);
    expect(conditionOf(tenant, 'QuotaWithinLimits')?.reason).toBe('QuotaExceeded');
    expect(await tenantLabel()).toBe(TENANCY_NAMES.tenant);
    await kube.core.readNamespacedResourceQuota({
      name: `mcpg-tenant-${TENANCY_NAMES.tenant}`,
      namespace: namespace.name,
    });
  });

  it('makes no write when the same events arrive again, twice each, or in reverse order', async () => {
    const before = writes();
    const stream = untilTenantDeleted();
    expect((await replay(stream.flatMap((e) => [e, e]))).every((s) => s === 204)).toBe(true);
    expect((await replay([...stream].reverse())).every((s) => s === 204)).toBe(true);
    expect(writes()).toBe(before);
  });

  it('releases the namespace when the tenant is deleted, and replaying the whole stream afterwards writes nothing', async () => {
    await kubeRequest(kube.config, { method: 'DELETE', path: tenantPath });
    // The deletion waits on the tenant's finalizer, which the replayed events drive.
    expect((await replay(events)).every((s) => s === 204)).toBe(true);
    await expect(read(tenantPath)).rejects.toThrow(/404/);
    expect(await tenantLabel()).toBeUndefined();
    const before = writes();
    expect((await replay(events)).every((s) => s === 204)).toBe(true);
    expect(writes()).toBe(before);
  });
});
