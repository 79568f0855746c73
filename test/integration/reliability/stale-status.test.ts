import { kubeRequest, ObjectClient } from '@mcpg-functions/shared/kube';
import { createLogger, ReconcileDriver, type KindReconciler } from '@mcpg-functions/shared/runtime';
import { serverReconciler } from '@mcpg-functions/server/reconcile';
import { beforeAll, describe, expect, it } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';

interface Server {
  metadata: { generation: number };
  spec: { replicas: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; observedGeneration?: number }[];
  };
}

// A spec that changes while a pass works on the old one: the pass's status describes a spec that no longer
// exists, and must not be written stamped with the new generation (which is what consumers such as the
// plugin-set function trust as "this spec was checked").
describe('status written by a pass whose spec changed under it', () => {
  const namespace = useNamespace('stale-status');
  const kube = clients();
  const path = `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/racing`;
  const read = () => kubeRequest<Server>(kube.config, { method: 'GET', path });
  const server = (replicas: number) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name: 'racing', namespace: namespace.name },
    spec: { image: 'ghcr.io/example/tools:1.0.0', replicas },
  });

  beforeAll(async () => {
    await installCrds(kube);
  });

  it('is dropped, and the next pass reports the new generation', async () => {
    await apply(kube, server(1));
    const real = serverReconciler({ bridgeImage: 'bridge:1' });
    let raced = false;
    // The server's own reconciler, with a user changing the spec after it has read the object.
    const racing: KindReconciler = {
      ...(real as unknown as KindReconciler),
      reconcile: async (object, context) => {
        const desired = await (real as unknown as KindReconciler).reconcile(object, context);
        if (!raced) {
          raced = true;
          await apply(kube, server(3));
        }
        return desired;
      },
    };
    const client = new ObjectClient(kube.config, 'mcpg-functions/server');
    const driver = new ReconcileDriver(racing, { client, log: createLogger('stale-status', 'silent') });
    const key = driver.keyFor('racing', namespace.name);

    expect(await driver.reconcileKey(key)).toBe('superseded');
    const afterRace = await read();
    expect(afterRace.metadata.generation).toBe(2);
    expect(afterRace.status?.observedGeneration).toBeUndefined();
    expect(afterRace.status?.conditions ?? []).toEqual([]);

    expect(await driver.reconcileKey(key)).toBe('updated');
    const settled = await read();
    expect(settled.status?.observedGeneration).toBe(2);
    for (const condition of settled.status?.conditions ?? []) expect(condition.observedGeneration).toBe(2);
    const deployment = await kube.apps.readNamespacedDeployment({
      name: 'racing',
      namespace: namespace.name,
    });
    expect(deployment.spec?.replicas).toBe(3);
  });
});
