/**
 * The admission webhook's HTTP surface: one path per kind (plus namespaces, for the skip-validation
 * label), each answering AdmissionReview v1. Every answer, even to garbage, is an AdmissionReview.
 */
import { KINDS, VERSION } from '@mcpg-functions/shared/api';
import {
  createHttpServer,
  jsonBody,
  jsonReply,
  type HttpHost,
  type HttpReply,
  type HttpServerOptions,
  type Logger,
} from '@mcpg-functions/shared/runtime';
import { decodeReview, encodeResponse, type Verdict } from './admission-review.ts';
import { decide, type DecisionContext } from './decide.ts';
import type { AdmissionMetrics } from './metrics.ts';

export interface AdmissionAppOptions extends Omit<HttpServerOptions, 'onError'> {
  decision: DecisionContext;
  metrics: AdmissionMetrics;
}

/** `/validate-mcpg-dev-v1alpha2-mcpggateway`, as the chart's ValidatingWebhookConfiguration names it. */
export function webhookPath(kind: string): string {
  return kind === 'Namespace' ? '/validate-namespace' : `/validate-mcpg-dev-${VERSION}-${kind.toLowerCase()}`;
}

export function buildAdmissionApp(options: AdmissionAppOptions): HttpHost {
  const log = options.logger;
  const app = createHttpServer({ ...options, onError: (error, status) => answerFailure(error, status, log) });
  for (const kind of [...KINDS.map((k) => k.kind), 'Namespace']) {
    const kindLabel = { kind };
    app.route('POST', webhookPath(kind), async (request) => {
      const started = performance.now();
      const decoded = decodeReview(jsonBody(request));
      if (!('request' in decoded)) {
        options.metrics.requests.inc({ kind, operation: 'unknown', outcome: 'malformed' });
        log.warn({ kind, reason: decoded.message }, 'malformed admission review');
        return jsonReply(400, encodeResponse(decoded.uid, refusal(400, decoded.message)));
      }
      const { operation } = decoded.request;
      const verdict = await decide(decoded.request, kind, options.decision).catch((error: unknown) => {
        options.metrics.requests.inc({ kind, operation, outcome: 'error' });
        throw error;
      });
      options.metrics.requests.inc({ kind, operation, outcome: verdict.allowed ? 'allowed' : 'denied' });
      options.metrics.duration.observe(kindLabel, (performance.now() - started) / 1000);
      if (!verdict.allowed) {
        log.info({ kind, operation, object: objectKey(decoded.request), reason: verdict.message }, 'denied');
      }
      return jsonReply(200, encodeResponse(decoded.request.uid, verdict));
    });
  }
  return app;
}

function refusal(code: number, message: string): Verdict {
  return { allowed: false, code, message, warnings: [] };
}

function objectKey(request: { namespace?: string | undefined; name?: string | undefined }): string {
  return [request.namespace, request.name].filter(Boolean).join('/');
}

/**
 * Bodies that are not JSON, too large or otherwise unreadable get an AdmissionReview with the reason and a
 * 4xx; anything unexpected is a 500, so the API server applies the webhook's failurePolicy (Fail: refuse); a
 * webhook shutting down answers 503, which the API server treats alike.
 */
function answerFailure(error: unknown, status: number, log: Logger): HttpReply {
  if (status === 500) log.error({ err: error }, 'admission review failed');
  const reason = (error as Error).message;
  const message =
    status === 500
      ? 'internal error while validating; the API server applies the webhook failure policy'
      : status === 413
        ? `the AdmissionReview is larger than this webhook accepts (${reason})`
        : status < 500
          ? `unreadable AdmissionReview: ${reason}`
          : reason;
  return jsonReply(status, encodeResponse('', refusal(status, message)));
}
