/**
 * The HTTP face of a reconcile function: CloudEvents in, the reply contract out. 204 when done (or, for an
 * object event, when its passes go on in the background: backlog.ts), 503 when a retry may help (the sources
 * and brokers retry it), 400 for a request that is not an event we handle (never retried). Replies carry no
 * body, so a broker never mistakes one for a reply event.
 */
import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from './prom-client-parts.ts';
import { describeKey, type KubeObject, type ObjectKey, type RequestCounts } from '../kube/index.ts';
import { traceIdOf, withEventSpan } from '../tracing/index.ts';
import { Backlog } from './backlog.ts';
import { reconcileOne, summarize, targetsFor, type DispatchResult } from './dispatch.ts';
import { strongerTrigger, type Outcome, type ReconcileDriver, type Trigger } from './driver.ts';
import { decodeEvent, MalformedEventError, type PokeEnvelope } from './events.ts';
import { Drain } from './drain.ts';
import type { HttpHost, HttpReply, HttpRequest } from './http/index.ts';
import { createHttpServer } from './http-server.ts';
import { reconcileShard, resync, SingleFlight, type ShardSink } from './resync.ts';
import { httpShardSink } from './resync-shards.ts';
import type { Logger } from './logger.ts';

export interface FunctionAppOptions<O extends KubeObject = KubeObject> {
  driver: ReconcileDriver<O>;
  /** Drivers of further kinds the same function reconciles; every event is offered to each driver. */
  moreDrivers?: ReconcileDriver[];
  logger: Logger;
  registry: Registry;
  /** Objects reconciled at once: by one resync page, and by the passes events ask for. */
  concurrency?: number;
  /** How long an object event waits for its passes before it is answered and they go on in the background. */
  eventHoldMs?: number;
  /** Objects whose passes events asked for and that are not finished; beyond it, events wait for room. */
  pendingObjects?: number;
  /** How long one resync may run; after that no further pass starts (the next ping resumes where it stopped). */
  resyncDeadlineSeconds?: number;
  /** The function's own address: a resync sends its pages there as shards, for any replica to take. */
  shardSink?: string | undefined;
  /** Shards of one resync out at once. */
  shardsInFlight?: number;
  /** Objects per page (and per shard) of a resync. */
  resyncPageSize?: number;
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
    shards: new Counter({
      name: 'mcpg_resync_shards_total',
      help: 'Resync shards (pages of a resync sent to any replica) taken by this process, by result: complete, incomplete (stopped at the deadline or by shutdown; answered 503 and sent again).',
      labelNames: ['result'],
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
      help: 'Reconcile passes by kind and outcome (unchanged, updated, gone, failed, superseded, led, error); held counts events answered without a pass, led the first pass of an object that created only its lead children.',
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

export function createFunctionApp<O extends KubeObject>(options: FunctionAppOptions<O>): HttpHost {
  const drain = options.drain ?? new Drain();
  const app = createHttpServer({
    logger: options.logger,
    registry: options.registry,
    isReady: () => drain.accepting,
  });
  const counters = metrics(options.registry, options.driver.context().client.counts);
  const kind = options.driver.reconciler.kind.kind;
  const log = options.logger;

  const drivers = [options.driver, ...(options.moreDrivers ?? [])] as ReconcileDriver[];
  const passes = new Backlog<PassRequest, Outcome>({
    work: (_, request, retry) =>
      reconcileOne(
        request.driver,
        request.key,
        retry ? strongerTrigger(request.trigger, 'retry') : request.trigger,
      ),
    heldByBackoff: (outcome) => outcome === 'held',
    merge: (queued, arriving) => ({
      ...queued,
      trigger: strongerTrigger(queued.trigger, arriving.trigger),
      ownChange: queued.ownChange || arriving.ownChange,
      joined: queued.joined + 1,
    }),
    // An object's own change (a new object, a new spec) goes before its children's status moving: in a burst of
    // creations, every object gets its children before any refreshes its status.
    urgent: (request) => request.ownChange,
    // An object's own change that created only its lead children (driver.ts): the rest waits its turn.
    rest: (outcome, request) =>
      outcome === 'led' ? { ...request, trigger: 'related', ownChange: false } : undefined,
    settled: (_, request, result, durationMs) => {
      reportPass(request, result, { log, counters, durationMs });
    },
    concurrency: options.concurrency ?? 4,
    maxPending: options.pendingObjects ?? 1000,
    holdMs: options.eventHoldMs ?? 10,
    drain,
  });
  const handle = eventHandler(options, drivers, drain, passes);
  // The raw body whatever its content type: binary and structured CloudEvents come with several.
  app.route('POST', '/', async (request) => {
    if (!drain.accepting) {
      counters.events.inc({ type: 'shutting-down', status: '503' });
      return { status: 503 };
    }
    return drain.track(() => answer(request));
  });

  async function answer(request: HttpRequest): Promise<HttpReply> {
    const refuse = (error: MalformedEventError): HttpReply => {
      log.warn({ reason: error.message }, 'refused a request that is not a supported CloudEvent');
      counters.events.inc({ type: 'malformed', status: '400' });
      counters.refused.inc({ reason: error.reason });
      return { status: 400 };
    };
    let envelope: PokeEnvelope;
    try {
      envelope = decodeEvent(request.headers, request.body);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      return refuse(error);
    }
    const driverError = shardWithoutDriver(envelope, drivers);
    if (driverError) return refuse(driverError);
    const status = await withEventSpan(
      envelope,
      spanName(envelope, kind),
      eventAttributes(envelope),
      async (span) => {
        const started = process.hrtime.bigint();
        const trace = traceIdOf(span, envelope.traceparent);
        const result = await handle(envelope, trace).catch((error: unknown) => error as Error);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        counters.duration.observe({ kind, class: envelope.poke.kind }, seconds);
        const answer = result instanceof Error || mayBeRetried(envelope, result) ? 503 : 204;
        counters.events.inc({ type: envelope.type, status: String(answer) });
        span.setAttribute('http.response.status_code', answer);
        report(result, {
          log,
          counters,
          kind,
          envelope,
          seconds,
          trace,
        });
        return answer;
      },
    );
    return { status };
  }
  return app;
}

function spanName(envelope: PokeEnvelope, kind: string): string {
  const { poke } = envelope;
  if (poke.kind === 'object') return `event ${poke.key.kind}`;
  return poke.kind === 'shard' ? `resync shard ${poke.shard.kind}` : `resync ${kind}`;
}

function eventAttributes(envelope: PokeEnvelope): Record<string, string> {
  const attributes: Record<string, string> = {
    'cloudevents.event_id': envelope.id,
    'cloudevents.event_type': envelope.type,
  };
  if (envelope.poke.kind === 'object') attributes['mcpg.event.object'] = describeKey(envelope.poke.key);
  return attributes;
}

/**
 * What answering one event did; a resync also says whether it covered everything, or joined a running one, and
 * a shard whether it covered its page.
 */
interface Handled extends DispatchResult {
  resync?: 'complete' | 'incomplete' | 'coalesced';
  shard?: 'complete' | 'incomplete';
}

/** An object event whose pass failed, or a shard cut short: a retry may do what this one did not. */
function mayBeRetried(envelope: PokeEnvelope, result: Handled): boolean {
  if (envelope.poke.kind === 'object') return result.failed.length > 0;
  return result.shard === 'incomplete';
}

/** A shard of a kind this function does not reconcile is not an event it handles. */
function shardWithoutDriver(
  envelope: PokeEnvelope,
  drivers: ReconcileDriver[],
): MalformedEventError | undefined {
  const { poke } = envelope;
  if (poke.kind !== 'shard' || drivers.some((d) => d.reconciler.kind.kind === poke.shard.kind))
    return undefined;
  return new MalformedEventError('data', `this function does not reconcile ${poke.shard.kind}`);
}

/**
 * A pass object events asked for, logged under the first of them; `joined` counts the events that arrived for
 * the object before it started.
 */
interface PassRequest {
  driver: ReconcileDriver;
  key: ObjectKey;
  trigger: Trigger;
  /** Some event that asked for the pass was about the object itself. */
  ownChange: boolean;
  event: { id: string; type: string; trace: string | undefined };
  joined: number;
}

/**
 * Every event goes to each driver in turn; an object event's passes go to the backlog, and it is answered with
 * the failures known when its hold ends. Resyncs run one at a time, within their deadline.
 */
function eventHandler<O extends KubeObject>(
  options: FunctionAppOptions<O>,
  drivers: ReconcileDriver[],
  drain: Drain,
  passes: Backlog<PassRequest, Outcome>,
): (envelope: PokeEnvelope, trace: string | undefined) => Promise<Handled> {
  const resyncs = new SingleFlight<Handled>();
  // Where each kind's unfinished resync stopped; the next ping resumes there.
  const resumeAt = new Map<ReconcileDriver, string | undefined>();
  const deadlineMs = (options.resyncDeadlineSeconds ?? 100) * 1000;
  const concurrency = options.concurrency ?? 4;
  const window = () => ({
    now: new Date(),
    concurrency,
    signal: AbortSignal.any([drain.signal, AbortSignal.timeout(deadlineMs)]),
    until: new Date(Date.now() + deadlineMs),
  });
  const sinkOf = (driver: ReconcileDriver): ShardSink | undefined => {
    if (!options.shardSink) return undefined;
    const here: ShardSink = {
      send: async (shard, signal) => (await reconcileShard(driver, shard, { ...window(), signal })).complete,
    };
    const source = `/mcpg/functions/${driver.reconciler.kind.kind}/resync`;
    // A shard's receiver stops at its own deadline; its answer follows shortly after.
    return httpShardSink({ url: options.shardSink, source, timeoutMs: deadlineMs + 15_000, here });
  };
  const sinks = new Map(drivers.map((driver) => [driver, sinkOf(driver)]));
  const resyncAll = async (): Promise<Handled> => {
    const result: Handled = { reconciled: [], failed: [], resync: 'complete' };
    const how = { ...window(), shardsInFlight: options.shardsInFlight, pageSize: options.resyncPageSize };
    for (const driver of drivers) {
      const one = await resync(driver, { ...how, sink: sinks.get(driver), from: resumeAt.get(driver) });
      resumeAt.set(driver, one.resumeFrom);
      result.reconciled.push(...one.reconciled);
      result.failed.push(...one.failed);
      if (!one.complete) result.resync = 'incomplete';
    }
    return result;
  };
  return async (envelope, trace) => {
    const { poke } = envelope;
    if (poke.kind === 'resync')
      return (await resyncs.run(resyncAll)) ?? { reconciled: [], failed: [], resync: 'coalesced' };
    if (poke.kind === 'shard') {
      const driver = drivers.find((d) => d.reconciler.kind.kind === poke.shard.kind) as ReconcileDriver;
      const one = await reconcileShard(driver, poke.shard, window());
      return { ...one, shard: one.complete ? 'complete' : 'incomplete' };
    }
    const result: Handled = { reconciled: [], failed: [] };
    // The version the event names tells memory whether what it holds of the object is still current.
    options.driver.context().client.hint(poke.key, poke.resourceVersion);
    const event = { id: envelope.id, type: envelope.type, trace };
    for (const [index, driver] of drivers.entries()) {
      const { keys, trigger, held = [] } = await targetsFor(poke, driver);
      result.reconciled.push(...held.map((key) => ({ key, outcome: 'held' as const })));
      // Several objects at once (a dependency of many); one object's passes never overlap (backlog.ts).
      const answers = await Promise.all(
        keys.map((key) =>
          passes.submit(`${index} ${describeKey(key)}`, {
            driver,
            key,
            trigger,
            ownChange: trigger === 'self',
            event,
            joined: 0,
          }),
        ),
      );
      answers.forEach((answer, at) => {
        if (answer.state === 'failed')
          result.failed.push({ key: keys[at] as ObjectKey, error: answer.error });
      });
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
  // An object event's passes are reported as they end (reportPass), whether or not it still waited.
  for (const { key, error } of envelope.poke.kind === 'object' ? [] : result.failed) {
    counters.reconciles.inc({ kind: key.kind, outcome: 'failed' });
    log.warn({ ...base, object: describeKey(key), reason: error.message }, 'reconcile failed');
  }
  if (result.shard) {
    counters.shards.inc({ result: result.shard });
    log.info({ ...base, summary: summarize(result), result: result.shard }, 'resync shard');
  }
  if (result.resync) {
    counters.resyncs.inc({ result: result.resync });
    log.info({ ...base, summary: summarize(result), result: result.resync }, 'resync');
  }
}

/** One pass that object events asked for, as it ends: counted, and logged under the event that asked first. */
function reportPass(
  request: PassRequest,
  result: Outcome | Error,
  context: { log: Logger; counters: ReturnType<typeof metrics>; durationMs: number },
): void {
  const { key, event, joined } = request;
  const base = {
    event: event.id,
    type: event.type,
    trace: event.trace,
    durationMs: Math.round(context.durationMs),
  };
  const fields = { ...base, object: describeKey(key), ...(joined > 0 ? { joined } : {}) };
  if (result instanceof Error) {
    context.counters.reconciles.inc({ kind: key.kind, outcome: 'failed' });
    context.log.warn({ ...fields, reason: result.message }, 'reconcile failed');
    return;
  }
  context.counters.reconciles.inc({ kind: key.kind, outcome: result });
  context.log.info({ ...fields, outcome: result }, 'reconciled');
}
