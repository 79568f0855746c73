import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pki } from '../../../../../test/cluster/pki.ts';
import { jsonReply } from './exchange.ts';
import { HttpHost } from './host.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  port: number,
  options: { method?: string; path?: string; body?: string | Buffer[]; agent?: http.Agent },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        agent: options.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          });
        });
      },
    );
    request.on('error', reject);
    // An array is sent chunk by chunk, without a declared length.
    if (Array.isArray(options.body)) for (const chunk of options.body) request.write(chunk);
    else if (options.body !== undefined) request.setHeader('content-length', Buffer.byteLength(options.body));
    request.end(Array.isArray(options.body) ? undefined : options.body);
  });
}

describe('the HTTP host', () => {
  let host: HttpHost;
  let port: number;
  beforeAll(async () => {
    host = new HttpHost({ bodyLimit: 16 })
      .route('POST', '/echo', (request) => ({ status: 200, body: request.body }))
      .route('GET', '/health', () => jsonReply(200, { status: 'ok' }))
      .route('GET', '/fails', () => {
        throw new Error('a bug in a route');
      });
    ({ port } = await host.listen({ host: '127.0.0.1', port: 0 }));
  });
  afterAll(() => host.close());

  it('routes by path (the query aside) and method', async () => {
    expect(await send(port, { path: '/health?verbose=1' })).toMatchObject({
      status: 200,
      body: '{"status":"ok"}',
    });
    expect((await send(port, { method: 'HEAD', path: '/health' })).status).toBe(200);
    expect((await send(port, { path: '/nowhere' })).status).toBe(404);
    expect((await send(port, { method: 'DELETE', path: '/health' })).status).toBe(405);
  });

  it('hands a route the whole body, however it was sent', async () => {
    expect((await send(port, { method: 'POST', path: '/echo', body: 'sixteen bytes..!' })).body).toBe(
      'sixteen bytes..!',
    );
    const chunked = await send(port, {
      method: 'POST',
      path: '/echo',
      body: [Buffer.from('ab'), Buffer.from('cd')],
    });
    expect(chunked).toMatchObject({ status: 200, body: 'abcd' });
  });

  it('refuses a body over the limit with 413 and closes that connection, declared or not', async () => {
    const declared = await send(port, { method: 'POST', path: '/echo', body: 'x'.repeat(17) });
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(1024, 'x'));
    const streamed = await send(port, { method: 'POST', path: '/echo', body: chunks });
    expect(streamed.status).toBe(413);
    expect(streamed.headers.connection).toBe('close');
    expect((await host.inject({ method: 'POST', url: '/echo', body: 'x'.repeat(17) })).status).toBe(413);
  });

  it('answers a failing route 500 without a body, and keeps serving', async () => {
    expect(await send(port, { path: '/fails' })).toMatchObject({ status: 500, body: '' });
    expect((await send(port, { path: '/health' })).status).toBe(200);
  });

  it('keeps connections alive longer than the usual 60 s proxy idle timeout', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(port, { path: '/health', agent });
      expect(first.headers['keep-alive']).toBe('timeout=72');
      expect((await send(port, { path: '/health', agent })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe('closing the HTTP host', () => {
  it('answers the request in flight, refuses new connections, then resolves', async () => {
    const finish = Promise.withResolvers<undefined>();
    const started = Promise.withResolvers<undefined>();
    const host = new HttpHost().route('GET', '/slow', async () => {
      started.resolve(undefined);
      await finish.promise;
      return { status: 200, body: 'finished' };
    });
    const { port } = await host.listen({ host: '127.0.0.1', port: 0 });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const inFlight = send(port, { path: '/slow', agent });
      await started.promise;
      const closed = host.close();
      await expect(send(port, { path: '/slow' })).rejects.toThrow(/ECONNREFUSED/);
      finish.resolve(undefined);
      const answer = await inFlight;
      expect(answer).toMatchObject({ status: 200, body: 'finished' });
      expect(answer.headers.connection).toBe('close');
      await closed;
      expect(await host.inject({ method: 'GET', url: '/slow' })).toEqual({ status: 503 });
    } finally {
      agent.destroy();
    }
  });
});

describe('the HTTP host over TLS', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'http-host-tls-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves with the given certificate and refuses TLS older than 1.2', async () => {
    const pki = await Pki.create(dir, 'host-ca');
    const pair = await pki.issue({
      name: 'host',
      subject: '/CN=host',
      usage: 'serverAuth',
      altNames: ['IP:127.0.0.1'],
    });
    const tls = { cert: await readFile(pair.cert), key: await readFile(pair.key) };
    const host = new HttpHost({ tls }).route('GET', '/health', () => jsonReply(200, { status: 'ok' }));
    const { port } = await host.listen({ host: '127.0.0.1', port: 0 });
    const ca = await readFile(pki.ca.cert);
    const get = (maxVersion: 'TLSv1.1' | 'TLSv1.3') =>
      new Promise<number>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: '/health', ca, maxVersion, agent: false }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          })
          .on('error', reject);
      });
    try {
      expect(await get('TLSv1.3')).toBe(200);
      await expect(get('TLSv1.1')).rejects.toThrow();
    } finally {
      await host.close();
    }
  });
});
