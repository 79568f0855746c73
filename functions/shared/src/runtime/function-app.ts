/**
 * The HTTP face of a reconcile function: CloudEvents in, the reply contract out. 204 when done, 503 when a
 * retry may help (the sources and brokers retry it), 400 for a request that is not an event we handle (never
 * retried). Replies carry no body, so a broker never mistakes one for a reply event.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { describeKey, type KubeObject, type RequestCounts } from '../kube/index.ts';
import { traceIdOf, withEventSpan } from '../tracing/index.ts';
import { keysFor, reconcileAll, resync, summarize, type DispatchResult } from './dispatch.ts';
import type { ReconcileDriver } from './driver.ts';
import { decodeEvent, MalformedEventError, type PokeEnvelope } from './events.ts';
import { createHttpServer } from './http-server.ts';
import type { Logger } from './logger.ts';

export interface FunctionAppOptions<O extends KubeObject = KubeObject> {
  driver: ReconcileDriver<O>;
  /** Drivers of further kinds the same function reconciles; every event is offered to each driver. */
  moreDrivers?: ReconcileDriver[];
  logger: Logger;
  registry: Registry;
  /** Objects reconciled at once during a resync. */
  concurrency?: number;
}

function metrics(registry: Registry, counts: RequestCounts) {
  new Gauge({
    name: 'mcpg_kube_api_requests',
    help: 'Requests this function made to the Kubernetes API since it started, by verb class (read, write).',
    labelNames: ['verb'],
    registers: [registry],
    collect() {
      this.set({ verb: 'read' }, counts.reads);
      this.set({ verb: 'write' }, counts.writes);
    },
  });
  return {
    events: new Counter({
      name: 'mcpg_events_received_total',
      help: 'CloudEvents received, by type and how they were answered (204, 400, 503).',
      labelNames: ['type', 'status'],
      registers: [registry],
    }),
    reconciles: new Counter({
      name: 'mcpg_reconcile_total',
      help: 'Reconcile passes by kind and outcome (unchanged, updated, gone, failed, error).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'mcpg_reconcile_duration_seconds',
      help: 'Time to answer one event, by kind and event class (object or resync).',
      labelNames: ['kind', 'class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export function createFunctionApp<O extends KubeObject>(options: FunctionAppOptions<O>): FastifyInstance {
  const app = createHttpServer({ logger: options.logger, registry: options.registry });
  const counters = metrics(options.registry, options.driver.context().client.counts);
  const kind = options.driver.reconciler.kind.kind;
  const log = options.logger;
  // Keep the raw body: binary and structured CloudEvents come with several content types.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  app.post('/', async (request, reply) => {
    let envelope: PokeEnvelope;
    try {
      envelope = decodeEvent(request.headers, request.body);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      log.warn({ reason: error.message }, 'refused a request that is not a supported CloudEvent');
      counters.events.inc({ type: 'malformed', status: '400' });
      return reply.code(400).send();
    }
    const status = await withEventSpan(
      envelope,
      spanName(envelope, kind),
      eventAttributes(envelope),
      async (span) => {
        const started = process.hrtime.bigint();
        const result = await handle(envelope, options).catch((error: unknown) => error as Error);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        counters.duration.observe({ kind, class: envelope.poke.kind }, seconds);
        const answer =
          result instanceof Error || (envelope.poke.kind === 'object' && result.failed.length > 0)
            ? 503
            : 204;
        counters.events.inc({ type: envelope.type, status: String(answer) });
        span.setAttribute('http.response.status_code', answer);
        report(result, {
          log,
          counters,
          kind,
          envelope,
          seconds,
          trace: traceIdOf(span, envelope.traceparent),
        });
        return answer;
      },
    );
    return reply.code(status).send();
  });
  return app;
}

function spanName(envelope: PokeEnvelope, kind: string): string {
  return envelope.poke.kind === 'resync' ? `resync ${kind}` : `event ${envelope.poke.key.kind}`;
}

function eventAttributes(envelope: PokeEnvelope): Record<string, string> {
  const attributes: Record<string, string> = {
    'cloudevents.event_id': envelope.id,
    'cloudevents.event_type': envelope.type,
  };
  if (envelope.poke.kind === 'object') attributes['mcpg.event.object'] = describeKey(envelope.poke.key);
  return attributes;
}

async function handle<O extends KubeObject>(
  envelope: PokeEnvelope,
  options: FunctionAppOptions<O>,
): Promise<DispatchResult> {
  const result: DispatchResult = { reconciled: [], failed: [] };
  for (const driver of [options.driver, ...(options.moreDrivers ?? [])] as ReconcileDriver[]) {
    const one =
      envelope.poke.kind === 'resync'
        ? await resync(driver, new Date(), options.concurrency ?? 4)
        : await reconcileAll(driver, await keysFor(envelope.poke, driver), 1);
    result.reconciled.push(...one.reconciled);
    result.failed.push(...one.failed);
  }
  return result;
}

function report(
  result: DispatchResult | Error,
  context: {
    log: Logger;
    counters: ReturnType<typeof metrics>;
    kind: string;
    envelope: PokeEnvelope;
    seconds: number;
    trace: string | undefined;
  },
): void {
  const { log, counters, kind, envelope, trace } = context;
  const base = {
    event: envelope.id,
    type: envelope.type,
    trace,
    durationMs: Math.round(context.seconds * 1000),
  };
  if (result instanceof Error) {
    counters.reconciles.inc({ kind, outcome: 'error' });
    log.error({ ...base, err: result }, 'event not handled; the source will retry');
    return;
  }
  for (const { key, outcome } of result.reconciled) {
    counters.reconciles.inc({ kind: key.kind, outcome });
    if (envelope.poke.kind === 'object')
      log.info({ ...base, object: describeKey(key), outcome }, 'reconciled');
  }
  for (const { key, error } of result.failed) {
    counters.reconciles.inc({ kind: key.kind, outcome: 'failed' });
    log.warn({ ...base, object: describeKey(key), reason: error.message }, 'reconcile failed');
  }
  if (envelope.poke.kind === 'resync') log.info({ ...base, summary: summarize(result) }, 'resync');
}
