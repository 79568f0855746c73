/**
 * OpenTelemetry tracing for the functions. Off unless an OTLP endpoint is configured; then the SDK is loaded
 * on demand (its own chunk in the bundle), so a function that does not trace never loads it. Spans are made
 * through the OpenTelemetry API, whose calls are no-ops while no SDK is installed.
 */
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { z } from 'zod';

// Empty counts as unset: a chart renders an unset value as an empty variable.
const otlpHttpUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
);

export const tracingSettings = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpHttpUrl,
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
  OTEL_SDK_DISABLED: z.stringbool().default(false),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type TracingSettings = z.infer<typeof tracingSettings>;

export interface Tracing {
  /** Sends the spans still buffered; called before the process exits (scale to zero stops it often). */
  shutdown: () => Promise<void>;
}

/** Where spans go, following the OpenTelemetry environment conventions; undefined means tracing is off. */
export function tracesEndpoint(settings: TracingSettings): string | undefined {
  if (settings.OTEL_SDK_DISABLED || settings.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export async function startTracing(settings: TracingSettings, functionName: string): Promise<Tracing> {
  const url = tracesEndpoint(settings);
  if (!url) return { shutdown: () => Promise.resolve() };
  const { installSdk } = await import('./sdk.ts');
  return installSdk({ url, serviceName: settings.OTEL_SERVICE_NAME ?? `mcpg-${functionName}` });
}

const tracer = () => trace.getTracer('mcpg-functions');

async function inSpan<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** Runs the handling of one CloudEvent in a span that continues the trace its `traceparent` names. */
export function withEventSpan<T>(
  carrier: { traceparent?: string | undefined; tracestate?: string | undefined },
  name: string,
  attributes: Attributes,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), carrier);
  return tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, (span) =>
    inSpan(span, () => run(span)),
  );
}

/** An internal step (one object's reconcile pass) as a child of the current span. */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, (span) =>
    inSpan(span, () => run(span)),
  );
}

/**
 * A call to another service as a client span; `run` gets the headers that carry the trace onwards (the API
 * server joins them when its own tracing is on).
 */
export function withClientSpan<T>(
  name: string,
  attributes: Attributes,
  run: (span: Span, headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, (span) => {
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    return inSpan(span, () => run(span, headers));
  });
}

/** The trace id to log beside an event: ours when recording, else the caller's. */
export function traceIdOf(span: Span, traceparent: string | undefined): string | undefined {
  const spanContext = span.spanContext();
  if (trace.isSpanContextValid(spanContext)) return spanContext.traceId;
  return traceparent?.split('-')[1];
}
