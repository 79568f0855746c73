/**
 * HTTP for the registry client on undici's request API: Node streams both ways, so an upload's body is pulled
 * from its source only as fast as the socket drains (flat memory), and a download is a plain Readable. The reply
 * keeps the small part of fetch's Response shape the client uses.
 */
import type { Readable } from 'node:stream';
import { request } from 'undici';

export interface Reply {
  status: number;
  ok: boolean;
  headers: { get: (name: string) => string | null; has: (name: string) => boolean };
  body: (Readable & { cancel: () => Promise<void> }) | null;
}

export interface HttpInit {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable | undefined;
  /** Time limit for the headers, and between two chunks of the body. */
  timeoutMs: number;
}

/** Follows redirects (blob downloads are often redirected to storage), dropping credentials on another origin. */
const MAX_REDIRECTS = 5;

export async function httpRequest(url: string, init: HttpInit): Promise<Reply> {
  let target = new URL(url);
  let headers = { ...init.headers };
  for (let hop = 0; ; hop += 1) {
    const response = await request(target, {
      method: init.method as 'GET',
      headers,
      body: init.body ?? null,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    });
    const location = response.headers.location;
    const redirected =
      response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string';
    if (!redirected || hop >= MAX_REDIRECTS || init.body !== undefined) return reply(response);
    await response.body.dump();
    const next = new URL(location, target);
    if (next.origin !== target.origin) {
      headers = { ...headers };
      delete headers.authorization;
    }
    target = next;
  }
}

function reply(response: Awaited<ReturnType<typeof request>>): Reply {
  const header = (name: string): string | null => {
    const value = response.headers[name.toLowerCase()];
    return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  };
  const body = Object.assign(response.body, {
    cancel: async () => {
      await response.body.dump();
    },
  });
  return {
    status: response.statusCode,
    ok: response.statusCode >= 200 && response.statusCode < 300,
    headers: { get: header, has: (name) => header(name) !== null },
    body,
  };
}
