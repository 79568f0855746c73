import { serverReconciler } from '@mcpg-functions/server/reconcile';
import {
  connectionFromKubeconfig,
  ObjectClient,
  WatchCache,
  type KubeObject,
} from '@mcpg-functions/shared/kube';
import {
  createFunctionApp,
  createLogger,
  createRegistry,
  ReconcileDriver,
} from '@mcpg-functions/shared/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';

// A burst of new servers, as the adapter delivers it when creations come faster than passes: every event is in
// before the first pass ends. Each server's workload must exist before any server's Service, status or Event is
// written. Creation order is read from the resourceVersion each object had when a watch first saw it (etcd's
// revision, one counter for every kind).
describe('the server function, given a burst of new servers', () => {
  const namespace = useNamespace('burst');
  const kube = clients();
  const names = ['one', 'two', 'three', 'four', 'five', 'six'];
  const logger = createLogger('burst', 'silent');
  const firstSeen = new Map<string, number>();
  const caches: WatchCache<null>[] = [];

  beforeAll(async () => {
    await installCrds(kube);
    const connection = await connectionFromKubeconfig(kube.kubeconfigPath);
    for (const plural of ['deployments', 'services']) {
      const group = plural === 'deployments' ? '/apis/apps/v1' : '/api/v1';
      const cache = new WatchCache(connection, {
        path: `${group}/namespaces/${namespace.name}/${plural}`,
        metadataOnly: true,
        keep: (object: KubeObject) => {
          const id = `${plural}/${object.metadata.name}`;
          if (!firstSeen.has(id)) firstSeen.set(id, Number(object.metadata.resourceVersion));
          return null;
        },
        logger,
      });
      await cache.start();
      caches.push(cache);
    }
  });
  afterAll(() => Promise.all(caches.map((cache) => cache.stop())));

  const server = (name: string) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: namespace.name },
    spec: { image: 'ghcr.io/example/tools:1.0.0' },
  });

  const added = (object: { metadata: { name: string; resourceVersion?: string } }) => ({
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': `add-${object.metadata.name}`,
      'ce-source': 'https://127.0.0.1',
      'ce-type': 'dev.knative.apiserver.resource.add',
    },
    body: JSON.stringify(object),
  });

  it('creates every Deployment before any Service, then finishes every server', async () => {
    const stored = await Promise.all(names.map((name) => apply(kube, server(name))));
    const client = new ObjectClient(kube.config, 'mcpg-functions/server');
    // One pass at a time, each event answered only once its passes (the rest included) are done.
    const app = createFunctionApp({
      driver: new ReconcileDriver(serverReconciler({ bridgeImage: 'bridge:1' }), { client, log: logger }),
      logger,
      registry: createRegistry('burst'),
      concurrency: 1,
      eventHoldMs: 110_000,
    });
    try {
      const answers = await Promise.all(
        stored.map((object) => app.inject({ method: 'POST', url: '/', ...added(object) })),
      );
      expect(answers.map((answer) => answer.status)).toEqual(names.map(() => 204));
    } finally {
      await app.close();
    }

    for (const name of names) {
      const current: unknown = await kube.custom.getNamespacedCustomObject({
        group: 'mcpg.dev',
        version: 'v1alpha2',
        namespace: namespace.name,
        plural: 'mcpgservers',
        name,
      });
      // Status is written for every server, whatever its pods have reached by then.
      expect(['Pending', 'Starting', 'Running']).toContain(
        (current as { status?: { phase?: string } }).status?.phase,
      );
    }
    await expect
      .poll(() => names.every((name) => firstSeen.has(`services/${name}`)), { timeout: 20_000 })
      .toBe(true);
    const created = (plural: string) => names.map((name) => firstSeen.get(`${plural}/${name}`) ?? NaN);
    expect(Math.max(...created('deployments'))).toBeLessThan(Math.min(...created('services')));
  });
});
