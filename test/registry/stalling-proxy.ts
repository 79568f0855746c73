/**
 * A loopback front for a registry whose blob downloads stop half way and never finish, as a registry behind a
 * failing link does; everything else passes through. Its connections are cut when it closes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StallingProxy {
  host: string;
  close: () => Promise<void>;
}

export async function startStallingProxy(target: string): Promise<StallingProxy> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const upstream = await fetch(`${target}${request.url ?? '/'}`, {
        method: request.method ?? 'GET',
        headers: { accept: request.headers.accept ?? '*/*' },
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (key !== 'content-encoding' && key !== 'transfer-encoding') headers[key] = value;
      });
      response.writeHead(upstream.status, headers);
      if (request.url?.includes('/blobs/') && request.method === 'GET')
        response.write(body.subarray(0, body.length >> 1));
      else response.end(request.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      response.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
