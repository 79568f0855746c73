/**
 * The CloudEvents 1.0 HTTP binding, receiving side only: binary mode (attributes in `ce-` headers, the body is
 * the data) and structured mode (the whole event as `application/cloudevents+json`). Small on purpose: the SDK
 * compiles a JSON schema validator when loaded, which costs a scale-to-zero function memory and start-up time
 * for checks this does directly.
 */

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

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

const isJson = (type: string) =>
  type === 'application/json' || type.endsWith('+json') || type === 'text/json';

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
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
  if (body !== '') event.data = isJson(mediaType(contentType)) ? parseJson(body, 'the event data') : body;
  return event;
}

function structuredEvent(body: string): Record<string, unknown> {
  const parsed = parseJson(body, 'the structured event');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('a structured event must be a JSON object');
  const event = { ...(parsed as Record<string, unknown>) };
  if (typeof event.data_base64 === 'string') {
    event.data = Buffer.from(event.data_base64, 'base64');
    delete event.data_base64;
  }
  return event;
}

function checked(event: Record<string, unknown>): CloudEvent {
  if (event.specversion !== '1.0')
    throw new Error(
      `specversion must be "1.0", got ${event.specversion === undefined ? 'nothing' : JSON.stringify(event.specversion)}`,
    );
  for (const required of ['id', 'source', 'type']) {
    const value = event[required];
    if (typeof value !== 'string' || value === '')
      throw new Error(`the required attribute "${required}" is missing or empty`);
  }
  return event as CloudEvent;
}

/** Decodes one event from an HTTP request; throws an Error saying what is wrong with it. */
export function eventFromHttp(headers: Headers, body: string | Buffer | undefined): CloudEvent {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? '');
  const contentType = header(headers, 'content-type');
  const type = mediaType(contentType);
  if (type.startsWith('application/cloudevents-batch'))
    throw new Error('batched events are not supported; send one event per request');
  if (type.startsWith('application/cloudevents')) return checked(structuredEvent(text));
  if (header(headers, 'ce-specversion') === undefined)
    throw new Error('neither a binary-mode event (no ce-specversion header) nor a structured one');
  return checked(binaryEvent(headers, text, contentType));
}
