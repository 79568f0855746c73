/**
 * The HTTP host every function shares, on `node:http` (or `node:https`) alone: a table of routes, bodies read
 * whole within a limit, timeouts, keep-alive and a graceful close. A web framework cost each idle function about
 * 10 MiB of its memory budget for routing and body parsing that fit in this folder.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readBody, tooLarge } from './body.ts';
import { HttpError, type HttpHandler, type HttpReply } from './exchange.ts';

export interface HttpHostOptions {
  /** PEM certificate and key; HTTPS (TLS 1.2 or later) when given. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  /** The largest body a request may carry; larger ones are answered 413. Default 1 MiB. */
  bodyLimit?: number | undefined;
  /**
   * The answer to a request refused by the host or a route (an HttpError, 4xx) or failed inside a route
   * (anything else, 500). By default the status alone, with no body.
   */
  onError?: ((error: unknown, status: number) => HttpReply) | undefined;
}

/**
 * Longer than the 60 s idle timeout of the usual proxies in front of a function (Knative's queue-proxy, load
 * balancers), so that they, not the function, close an idle connection: otherwise a request sent on a connection
 * the function is closing at that moment would fail.
 */
const KEEP_ALIVE_MS = 72_000;
/** How long a client may take to send a whole request (headers and body); the answer may take longer. */
const REQUEST_TIMEOUT_MS = 60_000;

export class HttpHost {
  readonly server: http.Server | https.Server;
  private readonly routes = new Map<string, Map<string, HttpHandler>>();
  private readonly bodyLimit: number;
  private readonly onError: (error: unknown, status: number) => HttpReply;
  private closing = false;

  constructor(options: HttpHostOptions = {}) {
    this.bodyLimit = options.bodyLimit ?? 1024 * 1024;
    this.onError = options.onError ?? ((_error, status) => ({ status }));
    const serverOptions = { keepAliveTimeout: KEEP_ALIVE_MS, requestTimeout: REQUEST_TIMEOUT_MS };
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      // A reply that cannot be written (the client left, a header the route got wrong) ends the connection.
      this.serve(request, response).catch((error: unknown) => response.destroy(error as Error));
    };
    this.server = options.tls
      ? https.createServer({ ...serverOptions, ...options.tls, minVersion: 'TLSv1.2' }, listener)
      : http.createServer(serverOptions, listener);
  }

  route(method: string, path: string, handler: HttpHandler): this {
    const methods = this.routes.get(path) ?? new Map<string, HttpHandler>();
    methods.set(method, handler);
    this.routes.set(path, methods);
    return this;
  }

  /** Starts listening; resolves with the address taken (port 0 takes a free one). */
  listen(options: { host: string; port: number }): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(options.port, options.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops taking connections and closes the idle ones; requests already received are answered, each on a
   * connection that then closes, and any further request on such a connection is answered 503.
   */
  close(): Promise<void> {
    this.closing = true;
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.server.close((error) => {
        if (error) reject(error);
        else resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  /**
   * Answers one request in this process, without a socket: the same routes, body limit and error answers (for
   * tests, and for replaying recorded requests).
   */
  inject(request: { method: string; url: string; headers?: IncomingHttpHeaders; body?: string | Buffer }) {
    const body = Buffer.from(request.body ?? '');
    const read = () =>
      body.length > this.bodyLimit
        ? Promise.reject(tooLarge(body.length, this.bodyLimit))
        : Promise.resolve(body);
    return this.reply(request.method, request.url, request.headers ?? {}, read);
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = await this.reply(request.method ?? 'GET', request.url ?? '/', request.headers, () =>
      readBody(request, this.bodyLimit),
    );
    // Closing: the connection ends with this answer. A body refused half-way is still arriving: the connection
    // cannot carry another request.
    if (this.closing || reply.status === 413) response.setHeader('connection', 'close');
    if (response.destroyed) return;
    response.writeHead(reply.status, reply.headers);
    response.end(reply.body);
  }

  private async reply(
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    read: () => Promise<Buffer>,
  ): Promise<HttpReply> {
    try {
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      const handler = this.handlerFor(method, path);
      return await handler({ method, path, headers, body: await read() });
    } catch (error) {
      return this.onError(error, error instanceof HttpError ? error.status : 500);
    }
  }

  private handlerFor(method: string, path: string): HttpHandler {
    if (this.closing) throw new HttpError(503, 'the server is shutting down');
    const methods = this.routes.get(path);
    if (!methods) throw new HttpError(404, `no route for ${path}`);
    const handler = methods.get(method) ?? (method === 'HEAD' ? methods.get('GET') : undefined);
    if (!handler) throw new HttpError(405, `${path} takes ${[...methods.keys()].join(', ')}, not ${method}`);
    return handler;
  }
}
