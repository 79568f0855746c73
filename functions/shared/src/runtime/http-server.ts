/**
 * The HTTP host every function shares: fastify with JSON logs, health endpoints and /metrics.
 * `createHttpServer` returns the app without listening, so tests drive it with `inject()`.
 */
import fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';

export interface HttpServerOptions {
  logger: Logger;
  registry: Registry;
  /** PEM certificate and key; HTTPS when given. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  bodyLimit?: number;
  /** Extra readiness condition (for example: caches synced); ready when it returns true. */
  isReady?: () => boolean;
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  // No per-request child loggers: they cost about a tenth of the webhook's throughput. Handlers log through
  // the function's logger with explicit bindings (object, reason, trace id).
  const app = fastify({
    logger: false,
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...(options.tls
      ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' } }
      : {}),
  });
  app.get('/health/liveness', (_, reply) => reply.send({ status: 'ok' }));
  app.get('/health/readiness', async (_, reply) => {
    const ready = options.isReady?.() ?? true;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting' });
  });
  app.get('/metrics', async (_, reply) =>
    reply.header('content-type', options.registry.contentType).send(await options.registry.metrics()),
  );
  return app;
}

/**
 * No route here declares a JSON schema (bodies are checked by zod where they are used), so fastify's default
 * compilers, Ajv and fast-json-stringify, are never loaded: they would cost every function about 4 MiB idle.
 */
function noSchemas(): never {
  throw new Error('routes of the mcpg HTTP host take no JSON schemas; validate the body with zod instead');
}
