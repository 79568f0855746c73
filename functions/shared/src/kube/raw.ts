/**
 * Plain JSON requests to the API server with the kubeconfig's credentials. The generated typed clients
 * re-serialise objects through their models, which silently drops keys they do not model (a CRD's
 * `x-kubernetes-*` schema extensions, for one); server-side apply must send exactly the fields we own.
 */
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { withClientSpan } from '../tracing/index.ts';
import type { Connection } from './connection.ts';

/** Either our own Connection or a client-node KubeConfig (tests use the latter). */
export type ApiTarget = Connection | KubeConfig;

async function requestOptions(
  target: ApiTarget,
  options: https.RequestOptions,
): Promise<{ server: string; options: https.RequestOptions }> {
  if ('headers' in target && typeof target.headers === 'function') {
    const connection = target;
    return {
      server: connection.server,
      options: {
        ...options,
        ...connection.tls,
        headers: { ...(options.headers as object), ...connection.headers() },
      },
    };
  }
  const config = target as KubeConfig;
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  await config.applyToHTTPSOptions(options);
  return { server, options };
}

export class KubeApiError extends Error {
  readonly code: number;
  readonly body: string;

  constructor(method: string, path: string, code: number, body: string) {
    super(`${method} ${path} answered ${code}: ${statusMessage(body)}`);
    this.name = 'KubeApiError';
    this.code = code;
    this.body = body;
  }
}

function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

export interface ObjectRef {
  apiVersion: string;
  /** Lower-case plural resource name, such as `deployments`. */
  plural: string;
  namespace?: string | undefined;
  name?: string;
}

/** `/apis/apps/v1/namespaces/ns/deployments/name` (core objects under `/api/v1`). */
export function resourcePath(ref: ObjectRef): string {
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const scope = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  return `${base}${scope}/${ref.plural}${name}`;
}

export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  contentType?: string;
  /** Extra headers, such as Impersonate-User for tests of authorisation. */
  headers?: Record<string, string | string[]>;
  /** Milliseconds one attempt may take before it is abandoned (default REQUEST_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** No call to the API server waits longer than this for its answer. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Answers that mean "not now" (API Priority and Fairness, an API server starting or overloaded), retried. */
const RETRIED_STATUSES = new Set([429, 503]);
const MAX_ATTEMPTS = 4;
/** The longest Retry-After honoured; a longer one fails the call, and the pass's own retry takes over. */
const MAX_RETRY_AFTER_MS = 10_000;
const DEFAULT_RETRY_MS = 1_000;

/**
 * Milliseconds to wait before retrying, from the answer's Retry-After (in seconds; a date or nothing gets a
 * growing default); undefined when the server asks for a longer wait than a request should block for.
 */
export function retryDelayMs(retryAfter: string | undefined, attempt: number): number | undefined {
  const seconds = retryAfter === undefined ? NaN : Number(retryAfter);
  if (!Number.isFinite(seconds) || seconds < 0) return DEFAULT_RETRY_MS * attempt;
  return seconds * 1000 > MAX_RETRY_AFTER_MS ? undefined : seconds * 1000;
}

/** Sends one request; resolves with the parsed JSON body, rejects with KubeApiError on a non-2xx answer. */
export function kubeRequest<T>(target: ApiTarget, request: RawRequest): Promise<T> {
  const attributes = { 'http.request.method': request.method, 'url.path': request.path };
  return withClientSpan(
    `${request.method} ${pathResource(request.path)}`,
    attributes,
    async (span, trace) => {
      const base: https.RequestOptions = {
        method: request.method,
        headers: {
          accept: 'application/json',
          'content-type': request.contentType ?? 'application/json',
          ...trace,
          ...request.headers,
        },
      };
      const { server, options } = await requestOptions(target, base);
      const url = new URL(request.path, server);
      const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
      const { status, text } = await sendWithRetries(url, options, {
        payload,
        timeoutMs: request.timeoutMs ?? REQUEST_TIMEOUT_MS,
      });
      span.setAttribute('http.response.status_code', status);
      if (status < 200 || status > 299) throw new KubeApiError(request.method, request.path, status, text);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  );
}

/** The resource a path names (`deployments`, `mcpgservers/status`), a low-cardinality span name. */
export function pathResource(path: string): string {
  const segments = (path.split('?')[0] ?? path).split('/').filter(Boolean);
  const rest = segments.slice(segments[0] === 'api' ? 2 : 3);
  const scoped = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  return [scoped[0], scoped[2]].filter(Boolean).join('/') || path;
}

interface Answer {
  status: number;
  text: string;
  retryAfter: string | undefined;
}

/**
 * Sends, retrying what the API server asks to have retried (429 and 503, after their Retry-After); every
 * attempt has a timeout. Other failures are the caller's: a pass fails and its event is retried later.
 */
async function sendWithRetries(
  url: URL,
  options: https.RequestOptions,
  request: { payload: string | undefined; timeoutMs: number },
): Promise<Answer> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await send(url, options, request);
    if (attempt >= MAX_ATTEMPTS || !RETRIED_STATUSES.has(answer.status)) return answer;
    const delay = retryDelayMs(answer.retryAfter, attempt);
    if (delay === undefined) return answer;
    await sleep(delay);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function send(
  url: URL,
  options: https.RequestOptions,
  request: { payload: string | undefined; timeoutMs: number },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, text, retryAfter });
      });
      res.on('error', reject);
    });
    req.setTimeout(request.timeoutMs, () => {
      req.destroy(new Error(`no answer from the API server within ${request.timeoutMs} ms`));
    });
    req.on('error', reject);
    req.end(request.payload);
  });
}

/** Server-side apply of a whole object as `fieldManager`, taking over conflicting fields. */
export function serverSideApply<
  T extends { apiVersion: string; metadata: { name: string; namespace?: string } },
>(config: ApiTarget, object: T, options: { plural: string; fieldManager: string }): Promise<T> {
  const path = resourcePath({
    apiVersion: object.apiVersion,
    plural: options.plural,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  });
  const query = `?fieldManager=${encodeURIComponent(options.fieldManager)}&force=true`;
  return kubeRequest<T>(config, {
    method: 'PATCH',
    path: path + query,
    body: object,
    contentType: 'application/apply-patch+yaml',
  });
}
