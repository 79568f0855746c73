/**
 * CloudEvent intake: what the function was poked about. ApiServerSource events (Resource and Reference mode)
 * name an object; PingSource events ask for a resync. The payload is only a hint: the reconciler re-reads.
 */
import type { ObjectKey } from '../kube/index.ts';
import { eventFromHttp, type CloudEvent } from './cloudevent-http.ts';

export const PING_TYPE = 'dev.knative.sources.ping';
const OBJECT_TYPES = /^dev\.knative\.apiserver\.(resource|ref)\.(add|update|delete)$/;

export type Poke =
  | { kind: 'object'; key: ObjectKey; ownerReferences: OwnerHint[]; labels: Record<string, string> }
  | { kind: 'resync' };

export interface OwnerHint {
  apiVersion: string;
  kind: string;
  name: string;
  controller?: boolean;
}

export interface PokeEnvelope {
  poke: Poke;
  id: string;
  type: string;
  /** W3C trace context of the sender, continued by the function's span. */
  traceparent: string | undefined;
  tracestate: string | undefined;
}

/** A request that is not an event this function understands; answered 400 and not retried. */
export class MalformedEventError extends Error {
  readonly code = 'MCPG_ERR_MALFORMED_EVENT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedEventError';
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Decodes binary or structured CloudEvents over HTTP. */
export function decodeEvent(
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): PokeEnvelope {
  let event: CloudEvent;
  try {
    event = eventFromHttp(
      headers,
      typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body ?? ''),
    );
  } catch (cause) {
    throw new MalformedEventError(`not a CloudEvent: ${(cause as Error).message}`, { cause });
  }
  // Knative propagates W3C trace context as an HTTP header; the CloudEvents extension is the fallback.
  const traceparent = first(headers.traceparent, event.traceparent);
  const tracestate = first(headers.tracestate, event.tracestate);
  const envelope = { id: event.id, type: event.type, traceparent, tracestate };
  if (event.type === PING_TYPE) return { ...envelope, poke: { kind: 'resync' } };
  if (!OBJECT_TYPES.test(event.type)) {
    throw new MalformedEventError(
      `unsupported CloudEvent type ${JSON.stringify(event.type)}; expected ${PING_TYPE} or dev.knative.apiserver.*`,
    );
  }
  return { ...envelope, poke: objectPoke(event) };
}

interface ObjectPayload {
  apiVersion?: unknown;
  kind?: unknown;
  name?: unknown;
  namespace?: unknown;
  metadata?: {
    name?: unknown;
    namespace?: unknown;
    ownerReferences?: OwnerHint[];
    labels?: Record<string, string>;
  };
}

/** The first non-empty string among the candidates. */
function first(...candidates: unknown[]): string | undefined {
  return candidates.map(text).find((value) => value !== undefined);
}

function objectPoke(event: CloudEvent): Poke {
  const data: ObjectPayload =
    typeof event.data === 'object' && event.data !== null && !Buffer.isBuffer(event.data) ? event.data : {};
  const metadata = data.metadata ?? {};
  // Extensions first (both modes carry them); the payload fills in for senders that leave them out.
  const apiVersion = first(event.apiversion, data.apiVersion);
  const kind = first(event.kind, data.kind);
  const name = first(event.name, metadata.name, data.name);
  const namespace = first(event.namespace, metadata.namespace, data.namespace);
  if (!apiVersion || !kind || !name) {
    throw new MalformedEventError(
      'the event names no object: it needs the apiversion, kind and name extensions',
    );
  }
  return {
    kind: 'object',
    key: { apiVersion, kind, name, namespace },
    ownerReferences: Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences : [],
    labels: metadata.labels ?? {},
  };
}
