import net from 'node:net';
import {
  connectionFromKubeconfig,
  kubeRequest,
  resourcePath,
  WatchCache,
  type Connection,
} from '@mcpg-functions/shared/kube';
import { createLogger } from '@mcpg-functions/shared/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';

/**
 * A loopback TCP relay to the API server that the test can cut: every open connection is dropped, and new ones are
 * refused until it is mended. The API server itself sees nothing but connections going away.
 */
class Relay {
  private cut = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(target: URL) {
    this.server = net.createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(from);
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.sockets.delete(from);
          to.destroy();
        });
      }
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  cutAll(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  mend(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('the list-then-watch cache on a real API server', () => {
  const namespace = useNamespace('watch-cache');
  const kube = clients();
  const configMaps = () =>
    resourcePath({ apiVersion: 'v1', plural: 'configmaps', namespace: namespace.name });
  let cache: WatchCache<Record<string, string>> | undefined;
  let relay: Relay | undefined;
  /** Whether any object handed to the cache carried a ConfigMap's data. */
  let sawData = false;

  afterEach(async () => {
    await cache?.stop();
    await relay?.close();
  });

  async function configMap(name: string, labels: Record<string, string>): Promise<void> {
    await kube.core.createNamespacedConfigMap({
      namespace: namespace.name,
      body: { metadata: { name, labels }, data: { secret: 'never cached' } },
    });
  }

  function follow(connection: Connection, watchTimeoutSeconds?: number): WatchCache<Record<string, string>> {
    cache = new WatchCache(connection, {
      path: configMaps(),
      metadataOnly: true,
      keep: (object) => {
        if ('data' in object) sawData = true;
        return object.metadata.labels ?? {};
      },
      logger: createLogger('test', 'silent'),
      pageSize: 2,
      watchTimeoutSeconds,
    });
    return cache;
  }

  it('lists in pages, then follows creates, updates and deletes across watches the server closes', async () => {
    for (const name of ['a', 'b', 'c']) await configMap(name, { step: 'listed' });
    // The server ends each watch after a second: the cache must resume each time without losing an event.
    const followed = follow(await connectionFromKubeconfig(kube.kubeconfigPath), 2);
    await followed.start();
    expect(followed.ready).toBe(true);
    // kube-root-ca.crt, which the controller manager puts in every namespace, is listed too.
    expect(followed.list().filter((labels) => labels.step === 'listed')).toHaveLength(3);
    expect(followed.get('a', namespace.name)).toEqual({ step: 'listed' });

    const revision = followed.revision;
    await configMap('d', { step: 'created' });
    await vi.waitFor(() => {
      expect(followed.get('d', namespace.name)).toEqual({ step: 'created' });
    }, 20_000);
    expect(followed.revision).not.toBe(revision);

    // Past a few server-side closes of the watch.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: `${configMaps()}/a`,
      body: { metadata: { labels: { step: 'updated' } } },
      contentType: 'application/merge-patch+json',
    });
    await kube.core.deleteNamespacedConfigMap({ namespace: namespace.name, name: 'b' });
    await vi.waitFor(() => {
      expect(followed.get('a', namespace.name)).toEqual({ step: 'updated' });
      expect(followed.get('b', namespace.name)).toBeUndefined();
    }, 20_000);
    expect(followed.ready).toBe(true);
    expect(followed.failures).toBe(0);
    // Metadata alone, in lists and watches: a ConfigMap's data never reaches the process.
    expect(sawData).toBe(false);
  });

  it('refuses to be read while its connection is cut, and re-lists what changed meanwhile once it is back', async () => {
    await configMap('before-cut', { step: 'listed' });
    const connection = await connectionFromKubeconfig(kube.kubeconfigPath);
    relay = new Relay(new URL(connection.server));
    const followed = follow({ ...connection, server: await relay.listen() });
    await followed.start();
    expect(followed.ready).toBe(true);

    relay.cutAll();
    await vi.waitFor(() => {
      expect(followed.ready).toBe(false);
    }, 20_000);
    expect(followed.failures).toBeGreaterThan(0);
    await configMap('during-cut', { step: 'missed-by-the-watch' });
    await kube.core.deleteNamespacedConfigMap({ namespace: namespace.name, name: 'before-cut' });

    relay.mend();
    await vi.waitFor(() => {
      expect(followed.ready).toBe(true);
    }, 30_000);
    expect(followed.get('during-cut', namespace.name)).toEqual({ step: 'missed-by-the-watch' });
    expect(followed.get('before-cut', namespace.name)).toBeUndefined();
  });
});
