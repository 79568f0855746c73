/**
 * A loopback front for a registry that demands the distribution spec's token auth, as hosted registries do: every
 * /v2/ request without a valid bearer token gets 401 with a `Bearer realm=…,service=…,scope=…` challenge, and
 * the realm issues tokens only for the right Basic credentials. Requests with a token pass through, streamed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

export interface AuthProxy {
  host: string;
  /** Scopes the token endpoint was asked for, in order. */
  scopes: string[];
  close: () => Promise<void>;
}

function forward(target: URL, incoming: IncomingMessage, outgoing: ServerResponse): void {
  const headers = { ...incoming.headers, host: target.host };
  delete headers.authorization;
  const upstream = request(
    new URL(incoming.url ?? '/', target),
    { method: incoming.method, headers },
    (reply) => {
      outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
      void pipeline(reply, outgoing).catch(() => undefined);
    },
  );
  upstream.on('error', () => outgoing.writeHead(502).end());
  void pipeline(incoming, upstream).catch(() => undefined);
}

export async function startAuthProxy(
  targetUrl: string,
  credentials: { username: string; password: string },
): Promise<AuthProxy> {
  const target = new URL(targetUrl);
  const token = randomBytes(16).toString('hex');
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const scopes: string[] = [];
  let origin = '';
  const server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', origin);
    if (url.pathname === '/token') {
      scopes.push(...url.searchParams.getAll('scope'));
      if (incoming.headers.authorization !== expected) {
        outgoing.writeHead(401).end();
        return;
      }
      outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      return;
    }
    if (incoming.headers.authorization === `Bearer ${token}`) {
      forward(target, incoming, outgoing);
      return;
    }
    const name = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\//.exec(url.pathname)?.[1];
    const scope = name ? `,scope="repository:${name}:pull"` : '';
    incoming.resume();
    outgoing
      .writeHead(401, {
        'www-authenticate': `Bearer realm="${origin}/token",service="test-registry"${scope}`,
      })
      .end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    scopes,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
