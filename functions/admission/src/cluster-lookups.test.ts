import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@mcpg-functions/shared/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiServerLookups } from './cluster-lookups.ts';

/** A loopback port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('cluster lookups when the API server cannot be reached', () => {
  let lookups: ApiServerLookups | undefined;
  afterEach(async () => {
    await lookups?.stop();
  });

  it('stay not ready and refuse to answer from an empty cache (failing closed, not open)', async () => {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${await closedPort()}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    lookups = new ApiServerLookups(config, createLogger('test', 'silent'));
    await lookups.start();
    expect(lookups.ready).toBe(false);
    const cached = lookups;
    // The rules await these; an unsynced cache refuses, whether it throws or rejects.
    await expect(Promise.resolve().then(() => cached.tenantOf('team-a'))).rejects.toThrow(/MCPGTenants/);
    await expect(Promise.resolve().then(() => cached.namespaceLabels('team-a'))).rejects.toThrow(
      /namespaces/,
    );
  });
});
