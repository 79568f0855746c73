/**
 * One registry as the client talks to it: the base URL, the connection policy, the pass's deadline, and the
 * auth handshake (a 401 with a challenge is answered once with Basic or a Bearer token, then repeated). A 401
 * from a host a redirect led to is never answered: the registry's credentials stay with the registry.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { basicHeader, parseChallenge, type Challenge, type Credentials } from './auth.ts';
import { RegistryError } from './errors.ts';
import { connectionFailure } from './failure.ts';
import { httpRequest, type HttpInit, type Reply } from './transport.ts';
import { bearerToken } from './token.ts';

export interface SessionOptions {
  registry: string;
  /** Where requests go: `https://<registry>`, `http://<registry>` when insecure, or the operator's endpoint. */
  base: URL;
  credentials?: Credentials | undefined;
  /** Idle limit: waiting for headers, or between two chunks of a body. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  dispatcher: Promise<Dispatcher>;
  tokenHosts: readonly string[];
}

export interface Call {
  method: string;
  path: string;
  repository: string;
  actions: 'pull' | 'pull,push';
  headers?: Record<string, string>;
  body?: Buffer | Readable | undefined;
  /** Scopes beyond the call's own repository (a mount's source). */
  extraScopes?: string[];
  /** Blob downloads only: registries redirect them to storage. */
  followRedirects?: boolean;
}

export class RegistrySession {
  readonly options: SessionOptions;
  /** Authorization headers by scope set, reused until the registry refuses one. */
  private readonly authorizations = new Map<string, string>();

  constructor(options: SessionOptions) {
    this.options = options;
  }

  get registry(): string {
    return this.options.registry;
  }

  /** The request options every call of this session shares. */
  httpOptions(): Omit<HttpInit, 'method' | 'headers' | 'body'> {
    const { timeoutMs, signal, dispatcher } = this.options;
    return { timeoutMs, signal, dispatcher };
  }

  /** An absolute URL at the registry: API paths below the base (which may carry a path), locations as given. */
  url(path: string): URL {
    const base = this.options.base.href.replace(/\/+$/, '');
    return path.startsWith('/') && !path.startsWith('//') ? new URL(`${base}${path}`) : new URL(path, base);
  }

  /** One unauthenticated request (the /v2/ probe). */
  async plain(path: string, what: string): Promise<Reply> {
    try {
      return await httpRequest(this.url(path).toString(), { ...this.httpOptions(), method: 'GET' });
    } catch (error) {
      throw connectionFailure(error, what, this.options.signal);
    }
  }

  async send(call: Call): Promise<Reply> {
    const scopes = [`repository:${call.repository}:${call.actions}`, ...(call.extraScopes ?? [])];
    const scopeKey = scopes.join(' ');
    const first = await this.sendOnce(call, this.authorizations.get(scopeKey));
    // A streamed body is spent: it cannot be sent again with new credentials.
    if (first.status !== 401 || first.elsewhere || call.body instanceof Readable) return first;
    const challenge = parseChallenge(first.headers.get('www-authenticate'));
    await first.body?.cancel();
    if (!challenge) return first;
    const authorization = await this.authorize(challenge, scopes);
    this.authorizations.set(scopeKey, authorization);
    return this.sendOnce(call, authorization);
  }

  private async sendOnce(call: Call, authorization: string | undefined): Promise<Reply> {
    const url = this.url(call.path);
    // Upload locations come from the registry: they must stay at its origin.
    if (url.origin !== this.options.base.origin)
      throw new RegistryError('Refused', `${this.registry} sent an upload location on another host`);
    const headers: Record<string, string> = { ...call.headers };
    if (authorization) headers.authorization = authorization;
    try {
      return await httpRequest(url.toString(), {
        ...this.httpOptions(),
        method: call.method,
        headers,
        body: call.body,
        followRedirects: call.followRedirects === true,
      });
    } catch (error) {
      throw connectionFailure(error, `${call.method} at ${this.registry}`, this.options.signal);
    }
  }

  private async authorize(challenge: Challenge, scopes: string[]): Promise<string> {
    const { credentials, registry, base, tokenHosts } = this.options;
    if (challenge.scheme === 'bearer')
      return bearerToken(challenge, scopes, {
        registry,
        base,
        tokenHosts,
        credentials,
        http: this.httpOptions(),
      });
    if (!credentials)
      throw new RegistryError('Unauthorized', `${registry} requires credentials; set a pull secret`);
    return basicHeader(credentials);
  }
}
