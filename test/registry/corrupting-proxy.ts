/**
 * A loopback proxy in front of a registry that flips one byte in the blobs it serves: a registry (or a path to
 * it) returning wrong bytes. Manifests pass unchanged, so the client gets as far as fetching the layer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CorruptingProxy {
  host: string;
  url: string;
  close: () => Promise<void>;
}

export async function startCorruptingProxy(target: string): Promise<CorruptingProxy> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const upstream = await fetch(`${target}${request.url ?? '/'}`, {
        method: request.method ?? 'GET',
        headers: { accept: request.headers.accept ?? '*/*' },
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const middle = body.length >> 1;
      if (request.url?.includes('/blobs/') && body.length > 0)
        body.writeUInt8(body.readUInt8(middle) ^ 0xff, middle);
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (key !== 'content-encoding' && key !== 'transfer-encoding') headers[key] = value;
      });
      response.writeHead(upstream.status, headers);
      response.end(request.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      response.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
