/** One request and its answer as the HTTP host hands them to a route: the body already read, the reply a value. */
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpRequest {
  readonly method: string;
  /** The path without its query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  /** No body when absent (the reply contract of the reconcile functions). */
  body?: string | Buffer;
}

export type HttpHandler = (request: HttpRequest) => HttpReply | Promise<HttpReply>;

/** A request the host or a route refuses with a 4xx status; the message says what is wrong with it. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
  }
}

export function jsonReply(status: number, value: unknown): HttpReply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  };
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
