import net from 'node:net';
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
    const connection = {
      server: `https://127.0.0.1:${await closedPort()}`,
      tls: { rejectUnauthorized: false },
      headers: () => ({ authorization: 'Bearer t' }),
    };
    lookups = new ApiServerLookups(connection, createLogger('test', 'silent'));
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
