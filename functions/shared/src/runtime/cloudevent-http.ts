/**
 * The CloudEvents 1.0 HTTP binding, receiving side only: binary mode (attributes in `ce-` headers, the body is
 * the data) and structured mode (the whole event as `application/cloudevents+json`). Small on purpose: the SDK
 * compiles a JSON schema validator when loaded, which costs a scale-to-zero function memory and start-up time
 * for checks this does directly.
 */
import { mediaType } from './http/index.ts';

export interface CloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  datacontenttype?: string;
  data?: unknown;
  /** Extension attributes (traceparent, the ApiServerSource's kind, name, namespace, apiversion). */
  [attribute: string]: unknown;
}

type Headers = Record<string, string | string[] | undefined>;

/** What kind of rule a refused request broke, for the refusal metric. */
export type EventFault = 'not-an-event' | 'attribute-name' | 'attribute-value' | 'data';

/** A request the CloudEvents 1.0 HTTP binding does not allow; says what is wrong and which rule it broke. */
export class CloudEventFault extends Error {
  readonly fault: EventFault;

  constructor(fault: EventFault, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudEventFault';
    this.fault = fault;
  }
}

/** Attribute names are lower-case letters and digits only (CloudEvents 1.0, "Attribute Naming Convention"). */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
/** RFC 3339 date-time, as the `time` attribute must be. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const isJson = (type: string) =>
  type === 'application/json' || type.endsWith('+json') || type === 'text/json';

function parseJson(text: string, what: string, fault: EventFault): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CloudEventFault(fault, `${what} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function binaryEvent(
  headers: Headers,
  body: string,
  contentType: string | undefined,
): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const name of Object.keys(headers)) {
    const value = header(headers, name);
    if (name.startsWith('ce-') && value !== undefined) event[name.slice(3)] = percentDecoded(value);
  }
  if (contentType) event.datacontenttype = contentType;
  if (body !== '')
    event.data = isJson(mediaType(contentType)) ? parseJson(body, 'the event data', 'data') : body;
  return event;
}

function structuredEvent(body: string): Record<string, unknown> {
  const parsed = parseJson(body, 'the structured event', 'not-an-event');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CloudEventFault('not-an-event', 'a structured event must be a JSON object');
  const event = { ...(parsed as Record<string, unknown>) };
  if (!Object.hasOwn(event, 'data_base64')) return event;
  if (Object.hasOwn(event, 'data'))
    throw new CloudEventFault('data', 'a structured event carries either data or data_base64, not both');
  const encoded = event.data_base64;
  if (typeof encoded !== 'string' || !BASE64.test(encoded))
    throw new CloudEventFault('data', 'data_base64 must be a base64 string (RFC 4648)');
  event.data = Buffer.from(encoded, 'base64');
  delete event.data_base64;
  return event;
}

/** RFC 4648 base64, padded, whitespace-free. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `data` and `data_base64` are members of the JSON format, not attributes. */
const DATA_MEMBERS = new Set(['data', 'data_base64']);

function checkNames(event: Record<string, unknown>): void {
  const badName = Object.keys(event).find((name) => !DATA_MEMBERS.has(name) && !ATTRIBUTE_NAME.test(name));
  if (badName !== undefined)
    throw new CloudEventFault(
      'attribute-name',
      `the attribute name ${JSON.stringify(badName)} is not allowed: names are lower-case letters and digits only`,
    );
}

function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/** Optional context attributes the specification requires to be non-empty strings when an event has them. */
const OPTIONAL_STRINGS = ['datacontenttype', 'dataschema', 'subject'];

function checkOptionalStrings(event: Record<string, unknown>): void {
  for (const optional of OPTIONAL_STRINGS) {
    const value = event[optional];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw new CloudEventFault(
        'attribute-value',
        `the attribute "${optional}", when present, must be a non-empty string`,
      );
  }
}

function checked(event: Record<string, unknown>): CloudEvent {
  checkNames(event);
  if (event.specversion !== '1.0')
    throw new CloudEventFault(
      'attribute-value',
      `specversion must be "1.0", got ${event.specversion === undefined ? 'nothing' : JSON.stringify(event.specversion)}`,
    );
  for (const required of ['id', 'source', 'type']) {
    const value = event[required];
    if (typeof value !== 'string' || value === '')
      throw new CloudEventFault(
        'attribute-value',
        `the required attribute "${required}" is missing or empty`,
      );
  }
  checkOptionalStrings(event);
  if (event.time !== undefined && !isTimestamp(event.time))
    throw new CloudEventFault(
      'attribute-value',
      `time must be an RFC 3339 timestamp, got ${JSON.stringify(event.time)}`,
    );
  return event as CloudEvent;
}

/** Decodes one event from an HTTP request; throws a CloudEventFault saying what is wrong with it. */
export function eventFromHttp(headers: Headers, body: string | Buffer | undefined): CloudEvent {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? '');
  const contentType = header(headers, 'content-type');
  const type = mediaType(contentType);
  if (type.startsWith('application/cloudevents-batch'))
    throw new CloudEventFault('not-an-event', 'batched events are not supported; send one event per request');
  if (type.startsWith('application/cloudevents')) return checked(structuredEvent(text));
  if (header(headers, 'ce-specversion') === undefined)
    throw new CloudEventFault(
      'not-an-event',
      'neither a binary-mode event (no ce-specversion header) nor a structured one',
    );
  return checked(binaryEvent(headers, text, contentType));
}
