/**
 * How a reconcile function starts: settings from the environment (the only place that reads it), a Kubernetes
 * client with the function's own field manager, the driver and the HTTP app, and a clean stop on SIGTERM.
 */
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { API_VERSION } from '../api/index.ts';
import { connect, KnownObjects, ObjectClient, type KubeObject } from '../kube/index.ts';
import { startTracing, tracingSettings } from '../tracing/index.ts';
import { Drain } from './drain.ts';
import { ReconcileDriver, type KindReconciler } from './driver.ts';
import { createFunctionApp } from './function-app.ts';
import type { HttpHost } from './http/index.ts';
import { createLogger, type Logger } from './logger.ts';
import { createRegistry } from './metrics.ts';

export const functionSettings = tracingSettings.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  MCPG_STDIO_BRIDGE_IMAGE: z.string().min(1).default('ghcr.io/mcpg-dev/stdio-bridge:0.1.0'),
  MCPG_RESYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * How long a pass may answer a read from what the function last read or wrote (events say when a copy is out
   * of date); it bounds how long a lost event can hide a change. 0 reads everything live.
   */
  MCPG_MEMORY_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** How long one resync may run before it stops starting passes; below the 120 s request timeout. */
  MCPG_RESYNC_DEADLINE_SECONDS: z.coerce.number().int().min(1).max(3600).default(100),
  /**
   * The function's own address (its Knative Service): a resync sends its pages there as shard events, so that
   * every replica takes a share. Empty: the process that took the ping works through every page itself.
   */
  MCPG_RESYNC_SHARD_SINK: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  /** Objects per page of a resync: what one shard covers, and what memory holds at once. */
  MCPG_RESYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(500),
  /** Shards of one resync out at once, across replicas (each runs MCPG_RESYNC_CONCURRENCY passes at once). */
  MCPG_RESYNC_SHARDS_IN_FLIGHT: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * How long an object event waits for its passes before it is answered 204 and they go on in the background
   * (a failure within it is answered 503, later ones are retried by the function); the source sends the events
   * of one watch one at a time, each waiting for its answer.
   */
  MCPG_EVENT_HOLD_MS: z.coerce.number().int().min(0).max(110_000).default(10),
  /** Objects whose passes events asked for and that are not finished; beyond it, events wait for room. */
  MCPG_PENDING_OBJECTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** How long passes in flight may finish after SIGTERM; below the pod's terminationGracePeriodSeconds. */
  MCPG_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(25),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KUBECONFIG: z.string().optional(),
});

export type FunctionSettings = z.infer<typeof functionSettings>;

/** Parses the environment with a function's settings schema; a bad value stops the start with its name. */
export function readSettings<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid settings: ${problems}`);
  }
  return parsed.data;
}

export async function serveFunction<O extends KubeObject>(
  name: string,
  makeReconciler: (settings: FunctionSettings) => KindReconciler<O>,
  settings: FunctionSettings,
): Promise<void> {
  await serveFunctions(name, [makeReconciler(settings)], settings);
}

/**
 * A function reconciling several kinds (the first one names its metrics); each event goes to every kind. A
 * function with metrics of its own registers them on `registry` first.
 */
export async function serveFunctions(
  name: string,
  reconcilers: readonly [KindReconciler<never>, ...KindReconciler<never>[]],
  settings: FunctionSettings,
  registry: Registry = createRegistry(name),
): Promise<void> {
  const logger = createLogger(name, settings.LOG_LEVEL);
  const tracing = await startTracing(settings, name);
  const memory = settings.MCPG_MEMORY_SECONDS;
  const kinds = reconcilers.flatMap((r) => [
    { apiVersion: API_VERSION, kind: r.kind.kind },
    ...r.childTypes,
    ...(r.observedTypes ?? []),
  ]);
  const client = new ObjectClient(await connect(settings.KUBECONFIG), `mcpg-functions/${name}`, {
    known: memory > 0 ? new KnownObjects({ maxAgeMs: memory * 1000, kinds }) : undefined,
  });
  // Each driver only ever hands its reconciler objects of that reconciler's own kind.
  const [first, ...more] = reconcilers;
  const driverOf = (r: KindReconciler<never>) =>
    new ReconcileDriver(r as unknown as KindReconciler, { client, log: logger });
  const drain = new Drain();
  const app = createFunctionApp({
    driver: driverOf(first),
    moreDrivers: more.map(driverOf),
    logger,
    registry,
    concurrency: settings.MCPG_RESYNC_CONCURRENCY,
    eventHoldMs: settings.MCPG_EVENT_HOLD_MS,
    pendingObjects: settings.MCPG_PENDING_OBJECTS,
    resyncDeadlineSeconds: settings.MCPG_RESYNC_DEADLINE_SECONDS,
    shardSink: settings.MCPG_RESYNC_SHARD_SINK || undefined,
    shardsInFlight: settings.MCPG_RESYNC_SHARDS_IN_FLIGHT,
    resyncPageSize: settings.MCPG_RESYNC_PAGE_SIZE,
    drain,
  });
  process.once('SIGTERM', () => {
    void shutDown({ drain, app, tracing, logger }, settings.MCPG_SHUTDOWN_GRACE_SECONDS);
  });
  await app.listen({ host: settings.HOST, port: settings.PORT });
}

/**
 * SIGTERM: stop taking events, let the passes in flight (those events already answered included) finish within
 * the grace period, close the server,
 * flush traces, exit 0. A pass cut short by the grace period has left what it wrote consistent (children first,
 * then status), and the next pass completes it.
 */
async function shutDown(
  parts: { drain: Drain; app: HttpHost; tracing: { shutdown: () => Promise<void> }; logger: Logger },
  graceSeconds: number,
): Promise<void> {
  const { drain, app, tracing, logger } = parts;
  logger.info({ graceSeconds }, 'shutting down: no new events; finishing the ones in flight');
  const finished = await drain.stop(graceSeconds * 1000);
  if (!finished) logger.warn({ graceSeconds }, 'passes still running when the grace period ended');
  await app.close();
  await tracing.shutdown();
  logger.info('stopped');
  process.exit(0);
}
