/**
 * Loopback fronts for a registry that misbehave, the fault switchable while they run:
 *   - `corrupt`: one byte of each blob flipped, a registry (or a path to it) returning wrong bytes;
 *   - `stall`: half of each blob sent and then nothing, as behind a failing link;
 *   - `hang`: every request accepted and never answered, as a registry that has locked up;
 *   - `none`: everything passed through, the registry back to health.
 * With `corrupt` and `stall` manifests pass unchanged, so a client gets as far as fetching the layer.
 * Connections are cut on close.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RegistryFault = 'corrupt' | 'stall' | 'hang' | 'none';

export interface FaultyProxy {
  host: string;
  url: string;
  /** What the proxy does to the next requests. */
  fault: RegistryFault;
  close: () => Promise<void>;
}

/** The upstream's headers, minus the encodings this proxy has already undone. */
function passedHeaders(upstream: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  upstream.headers.forEach((value, key) => {
    if (key !== 'content-encoding' && key !== 'transfer-encoding') headers[key] = value;
  });
  return headers;
}

const isBlobDownload = (request: IncomingMessage) =>
  request.method === 'GET' && request.url?.includes('/blobs/') === true;

export async function startFaultyProxy(target: string, fault: RegistryFault): Promise<FaultyProxy> {
  const server = createServer((request, response) => {
    const { fault } = proxy;
    if (fault === 'hang') return;
    void (async () => {
      const upstream = await fetch(`${target}${request.url ?? '/'}`, {
        method: request.method ?? 'GET',
        headers: { accept: request.headers.accept ?? '*/*' },
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      response.writeHead(upstream.status, passedHeaders(upstream));
      const blob = fault !== 'none' && isBlobDownload(request) && body.length > 0;
      const middle = body.length >> 1;
      if (blob && fault === 'stall') {
        response.write(body.subarray(0, middle));
        return;
      }
      if (blob) body.writeUInt8(body.readUInt8(middle) ^ 0xff, middle);
      response.end(request.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      response.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: FaultyProxy = {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    fault,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  return proxy;
}
