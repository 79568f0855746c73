/**
 * The HTTP face of a reconcile function: CloudEvents in, the reply contract out. 204 when done, 503 when a
 * retry may help (the sources and brokers retry it), 400 for a request that is not an event we handle (never
 * retried). Replies carry no body, so a broker never mistakes one for a reply event.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { describeKey, type KubeObject, type RequestCounts } from '../kube/index.ts';
import { traceIdOf, withEventSpan } from '../tracing/index.ts';
import { reconcileAll, summarize, targetsFor, type DispatchResult } from './dispatch.ts';
import type { ReconcileDriver } from './driver.ts';
import { decodeEvent, MalformedEventError, type PokeEnvelope } from './events.ts';
import { Drain } from './drain.ts';
import { createHttpServer } from './http-server.ts';
import { resync, SingleFlight } from './resync.ts';
import type { Logger } from './logger.ts';

export interface FunctionAppOptions<O extends KubeObject = KubeObject> {
  driver: ReconcileDriver<O>;
  /** Drivers of further kinds the same function reconciles; every event is offered to each driver. */
  moreDrivers?: ReconcileDriver[];
  logger: Logger;
  registry: Registry;
  /** Objects reconciled at once during a resync, or for one event that affects several. */
  concurrency?: number;
  /** How long one resync may run; after that no further pass starts (the next ping resumes where it stopped). */
  resyncDeadlineSeconds?: number;
  /** Shutdown: once it stops, events are answered 503 and readiness fails (a fresh one when not given). */
  drain?: Drain;
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
    refused: new Counter({
      name: 'mcpg_events_refused_total',
      help: 'Requests answered 400 and never retried, by the rule they broke (not-an-event, attribute-name, attribute-value, data, unsupported-type).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    resyncs: new Counter({
      name: 'mcpg_resyncs_total',
      help: 'Resync pings by result: complete, incomplete (stopped at its deadline or by shutdown), coalesced (another was running).',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconciles: new Counter({
      name: 'mcpg_reconcile_total',
      help: 'Reconcile passes by kind and outcome (unchanged, updated, gone, failed, superseded, error); held counts events answered without a pass.',
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
  const drain = options.drain ?? new Drain();
  const app = createHttpServer({
    logger: options.logger,
    registry: options.registry,
    isReady: () => drain.accepting,
  });
  const counters = metrics(options.registry, options.driver.context().client.counts);
  const kind = options.driver.reconciler.kind.kind;
  const log = options.logger;
  // Keep the raw body: binary and structured CloudEvents come with several content types.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  const handle = eventHandler(options, drain);
  app.post('/', async (request, reply) => {
    if (!drain.accepting) {
      counters.events.inc({ type: 'shutting-down', status: '503' });
      return reply.code(503).send();
    }
    return drain.track(() => answer(request, reply));
  });

  async function answer(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let envelope: PokeEnvelope;
    try {
      envelope = decodeEvent(request.headers, request.body);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      log.warn({ reason: error.message }, 'refused a request that is not a supported CloudEvent');
      counters.events.inc({ type: 'malformed', status: '400' });
      counters.refused.inc({ reason: error.reason });
      return reply.code(400).send();
    }
    const status = await withEventSpan(
      envelope,
      spanName(envelope, kind),
      eventAttributes(envelope),
      async (span) => {
        const started = process.hrtime.bigint();
        const result = await handle(envelope).catch((error: unknown) => error as Error);
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
  }
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

/** What answering one event did; a resync also says whether it covered everything, or joined a running one. */
interface Handled extends DispatchResult {
  resync?: 'complete' | 'incomplete' | 'coalesced';
}

/** Every event goes to each driver in turn; resyncs run one at a time, within their deadline. */
function eventHandler<O extends KubeObject>(
  options: FunctionAppOptions<O>,
  drain: Drain,
): (envelope: PokeEnvelope) => Promise<Handled> {
  const drivers = [options.driver, ...(options.moreDrivers ?? [])] as ReconcileDriver[];
  const resyncs = new SingleFlight<Handled>();
  // Where each kind's unfinished resync stopped; the next ping resumes there.
  const resumeAt = new Map<ReconcileDriver, string | undefined>();
  const resyncAll = async (): Promise<Handled> => {
    const deadline = AbortSignal.timeout((options.resyncDeadlineSeconds ?? 100) * 1000);
    const signal = AbortSignal.any([drain.signal, deadline]);
    const result: Handled = { reconciled: [], failed: [], resync: 'complete' };
    for (const driver of drivers) {
      const concurrency = options.concurrency ?? 4;
      const one = await resync(driver, { now: new Date(), concurrency, signal, from: resumeAt.get(driver) });
      resumeAt.set(driver, one.resumeFrom);
      result.reconciled.push(...one.reconciled);
      result.failed.push(...one.failed);
      if (!one.complete) result.resync = 'incomplete';
    }
    return result;
  };
  return async (envelope) => {
    if (envelope.poke.kind === 'resync')
      return (await resyncs.run(resyncAll)) ?? { reconciled: [], failed: [], resync: 'coalesced' };
    const result: Handled = { reconciled: [], failed: [] };
    const { poke } = envelope;
    // The version the event names tells memory whether what it holds of the object is still current.
    options.driver.context().client.hint(poke.key, poke.resourceVersion);
    for (const driver of drivers) {
      // Several objects at once (a dependency of many); one object's passes never overlap (key-queue.ts).
      const one = await reconcileAll(driver, await targetsFor(poke, driver), {
        concurrency: options.concurrency ?? 4,
      });
      result.reconciled.push(...one.reconciled);
      result.failed.push(...one.failed);
    }
    return result;
  };
}

function report(
  result: Handled | Error,
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
  if (result.resync) {
    counters.resyncs.inc({ result: result.resync });
    log.info({ ...base, summary: summarize(result), result: result.resync }, 'resync');
  }
}
