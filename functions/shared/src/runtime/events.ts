/**
 * CloudEvent intake: what the function was poked about. ApiServerSource events (Resource and Reference mode)
 * name an object; PingSource events ask for a resync; a resync shard (sent by a resync to the function's own
 * sink) names one page of a kind to reconcile. The payload is only a hint: the reconciler re-reads.
 */
import { z } from 'zod';
import type { ObjectKey } from '../kube/index.ts';
import { CloudEventFault, eventFromHttp, type CloudEvent, type EventFault } from './cloudevent-http.ts';

export const PING_TYPE = 'dev.knative.sources.ping';
/** One page of a resync, handed to whichever replica takes it (resync.ts). */
export const SHARD_TYPE = 'dev.mcpg.resync.shard';
/** Continue tokens are a few hundred bytes; anything much longer is not one. */
const MAX_TOKEN_LENGTH = 4096;
const MAX_SHARD_LIMIT = 500;
const OBJECT_TYPES = /^dev\.knative\.apiserver\.(resource|ref)\.(add|update|delete)$/;

/** Why a request was refused: a rule of CloudEvents 1.0 it broke, or an event type this function does not take. */
export type RefusalReason = EventFault | 'unsupported-type';

export type Poke =
  | {
      kind: 'object';
      key: ObjectKey;
      ownerReferences: OwnerHint[];
      labels: Record<string, string>;
      /** The version the event names (Resource mode only): what a pass may already have seen. */
      resourceVersion?: string | undefined;
    }
  | { kind: 'resync' }
  | { kind: 'shard'; shard: ResyncShard };

/** A page of a kind's list: the first one, or the one a continue token of an earlier page names. */
export interface ResyncShard {
  kind: string;
  continue?: string | undefined;
  /** The page's size, as the resync that cut it listed it. */
  limit: number;
  /** The deadline of the resync that sent it: no pass starts after it (RFC 3339). */
  until?: string | undefined;
}

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
  readonly reason: RefusalReason;

  constructor(reason: RefusalReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedEventError';
    this.reason = reason;
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
    if (!(cause instanceof CloudEventFault)) throw cause;
    throw new MalformedEventError(cause.fault, `not a CloudEvent: ${cause.message}`, { cause });
  }
  // Knative propagates W3C trace context as an HTTP header; the CloudEvents extension is the fallback.
  const traceparent = first(headers.traceparent, event.traceparent);
  const tracestate = first(headers.tracestate, event.tracestate);
  const envelope = { id: event.id, type: event.type, traceparent, tracestate };
  if (event.type === PING_TYPE) return { ...envelope, poke: { kind: 'resync' } };
  if (event.type === SHARD_TYPE) return { ...envelope, poke: { kind: 'shard', shard: shardOf(event.data) } };
  if (!OBJECT_TYPES.test(event.type)) {
    throw new MalformedEventError(
      'unsupported-type',
      `unsupported CloudEvent type ${JSON.stringify(event.type)}; expected ${PING_TYPE}, ${SHARD_TYPE} or dev.knative.apiserver.*`,
    );
  }
  return { ...envelope, poke: objectPoke(event) };
}

/**
 * A shard's data: `{"kind": "MCPGServer", "limit": 500, "continue": "<token>", "until": "<time>"}`, the token left
 * out for the first page. It can only ask for a list of the function's own kind, which the resync reads anyway.
 */
const shardData = z.object({
  kind: z.string().regex(/^[A-Z][A-Za-z0-9]{0,62}$/, 'names a kind'),
  limit: z.int().min(1).max(MAX_SHARD_LIMIT),
  continue: z.string().max(MAX_TOKEN_LENGTH).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

function shardOf(data: unknown): ResyncShard {
  const parsed = shardData.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
    throw new MalformedEventError('data', `not a resync shard: ${problems}`);
  }
  return { ...parsed.data, continue: text(parsed.data.continue) };
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
    resourceVersion?: unknown;
  };
}

/** The first non-empty string among the candidates. */
function first(...candidates: unknown[]): string | undefined {
  return candidates.map(text).find((value) => value !== undefined);
}

function badData(message: string): MalformedEventError {
  return new MalformedEventError('data', `the event data cannot name an object: ${message}`);
}

/**
 * The data of an ApiServerSource event: the whole object (Resource mode) or a reference to it (Reference mode),
 * always a JSON object naming its apiVersion, kind and name.
 */
function payloadOf(event: CloudEvent): ObjectPayload {
  const data = event.data;
  if (data === undefined || data === '') throw badData('the body is empty');
  if (typeof data !== 'object' || data === null || Array.isArray(data) || Buffer.isBuffer(data))
    throw badData(`it must be a JSON object, got ${Array.isArray(data) ? 'an array' : typeof data}`);
  return data;
}

/** The payload's own identity; the extensions, when present, must agree with it. */
function identityOf(event: CloudEvent, payload: ObjectPayload): ObjectKey {
  const resourceMode = event.type.startsWith('dev.knative.apiserver.resource.');
  const metadata = payload.metadata ?? {};
  const apiVersion = text(payload.apiVersion);
  const kind = text(payload.kind);
  const name = text(resourceMode ? metadata.name : payload.name);
  const namespace = text(resourceMode ? metadata.namespace : payload.namespace);
  const where = resourceMode ? 'apiVersion, kind and metadata.name' : 'apiVersion, kind and name';
  if (!apiVersion || !kind || !name) throw badData(`a ${event.type} event carries an object with ${where}`);
  agreesWithExtensions(event, { apiversion: apiVersion, kind, name });
  return { apiVersion, kind, name, namespace };
}

/** The apiversion, kind and name extensions, when present, must name the object the data holds. */
function agreesWithExtensions(event: CloudEvent, identity: Record<string, string>): void {
  for (const [attribute, value] of Object.entries(identity)) {
    const extension = text(event[attribute]);
    if (extension !== undefined && extension !== value)
      throw badData(`the ${attribute} attribute says ${extension} but the data holds ${value}`);
  }
}

function objectPoke(event: CloudEvent): Poke {
  const payload = payloadOf(event);
  const metadata = payload.metadata ?? {};
  return {
    kind: 'object',
    key: identityOf(event, payload),
    ownerReferences: Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences : [],
    labels: metadata.labels ?? {},
    resourceVersion: text(metadata.resourceVersion),
  };
}
