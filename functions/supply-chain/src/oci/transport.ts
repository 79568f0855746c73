/**
 * HTTP for the registry client on undici's request API: Node streams both ways, so an upload's body is pulled
 * from its source only as fast as the socket drains (flat memory), and a download is a plain Readable. The reply
 * keeps the small part of fetch's Response shape the client uses, and says whether it came from another origin.
 *
 * Redirects are followed only where the caller asks (blob downloads, which registries send to storage), never
 * from HTTPS to plain HTTP, and never with the Authorization header to another origin.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { RegistryError } from './errors.ts';

export interface Reply {
  status: number;
  ok: boolean;
  headers: { get: (name: string) => string | null; has: (name: string) => boolean };
  body: (Readable & { cancel: () => Promise<void> }) | null;
  /** Whether a redirect led to another origin than the one asked: its answers are not the registry's. */
  elsewhere: boolean;
}

export interface HttpInit {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable | undefined;
  /** Time limit for the headers, and between two chunks of the body. */
  timeoutMs: number;
  /** The pass's deadline: every request of a pass ends with it, however slowly bytes keep arriving. */
  signal?: AbortSignal | undefined;
  /** Settled once undici is loaded (see connector.ts). */
  dispatcher: Promise<Dispatcher>;
  /** Follow redirects (blob downloads only). */
  followRedirects?: boolean;
}

const MAX_REDIRECTS = 5;

/** Where a redirect may lead: http(s) only, and not from HTTPS down to plain HTTP. */
export function redirectTarget(location: string, from: URL): URL {
  const next = new URL(location, from);
  if (next.protocol !== 'https:' && next.protocol !== 'http:')
    throw new RegistryError('Refused', 'the registry redirected to a URL that is not HTTP(S)');
  if (from.protocol === 'https:' && next.protocol === 'http:')
    throw new RegistryError('Refused', 'the registry redirected from HTTPS to plain HTTP');
  return next;
}

export async function httpRequest(url: string, init: HttpInit): Promise<Reply> {
  const origin = new URL(url).origin;
  let target = new URL(url);
  let headers = { ...init.headers };
  const dispatcher = await init.dispatcher;
  const { request } = await import('./undici-parts.ts');
  for (let hop = 0; ; hop += 1) {
    const response = await request(target, {
      method: init.method,
      headers,
      body: init.body ?? null,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
      signal: init.signal,
      dispatcher,
    });
    const location = response.headers.location;
    const redirected =
      response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string';
    if (!redirected || !init.followRedirects || init.body !== undefined)
      return reply(response, target.origin !== origin);
    await response.body.dump();
    if (hop >= MAX_REDIRECTS)
      throw new RegistryError('Refused', `the registry redirected more than ${MAX_REDIRECTS} times`);
    const next = redirectTarget(location, target);
    if (next.origin !== origin) {
      headers = { ...headers };
      delete headers.authorization;
    }
    target = next;
  }
}

function reply(response: Dispatcher.ResponseData, elsewhere: boolean): Reply {
  const header = (name: string): string | null => {
    const value = response.headers[name.toLowerCase()];
    return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  };
  const body = Object.assign(response.body, {
    cancel: async () => {
      await response.body.dump().catch(() => undefined);
    },
  });
  return {
    status: response.statusCode,
    ok: response.statusCode >= 200 && response.statusCode < 300,
    headers: { get: header, has: (name) => header(name) !== null },
    body,
    elsewhere,
  };
}
