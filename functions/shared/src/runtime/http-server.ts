/**
 * The HTTP host every function shares, with its health endpoints and /metrics. `createHttpServer` returns it
 * without listening; a route is a plain async function from a request to a reply.
 */
import type { Registry } from 'prom-client';
import { addProbes, HttpHost, type HttpHostOptions, type HttpReply } from './http/index.ts';
import type { Logger } from './logger.ts';

export interface HttpServerOptions extends Pick<HttpHostOptions, 'tls' | 'bodyLimit' | 'onError'> {
  logger: Logger;
  registry: Registry;
  /** Extra readiness condition (for example: caches synced); ready when it returns true. */
  isReady?: () => boolean;
}

export function createHttpServer(options: HttpServerOptions): HttpHost {
  // No per-request child loggers: they cost about a tenth of the webhook's throughput. Routes log through the
  // function's logger with explicit bindings (object, reason, trace id).
  const host = new HttpHost({
    tls: options.tls,
    bodyLimit: options.bodyLimit,
    onError: options.onError ?? ((error, status) => statusAlone(error, status, options.logger)),
  });
  addProbes(host, { registry: options.registry, isReady: options.isReady });
  return host;
}

/** A refusal or failure answered with its status alone; a failure (500) is logged, as nothing else reports it. */
function statusAlone(error: unknown, status: number, log: Logger): HttpReply {
  if (status === 500) log.error({ err: error }, 'request failed');
  return { status };
}
