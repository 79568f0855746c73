/**
 * The admission webhook's HTTP surface: one path per kind (plus namespaces, for the skip-validation
 * label), each answering AdmissionReview v1. Every answer, even to garbage, is an AdmissionReview.
 */
import { KINDS, VERSION } from '@mcpg-functions/shared/api';
import { createHttpServer, type HttpServerOptions, type Logger } from '@mcpg-functions/shared/runtime';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { decodeReview, encodeResponse, type Verdict } from './admission-review.ts';
import { decide, type DecisionContext } from './decide.ts';
import type { AdmissionMetrics } from './metrics.ts';

export interface AdmissionAppOptions extends HttpServerOptions {
  decision: DecisionContext;
  metrics: AdmissionMetrics;
}

/** `/validate-mcpg-dev-v1alpha2-mcpggateway`, as the chart's ValidatingWebhookConfiguration names it. */
export function webhookPath(kind: string): string {
  return kind === 'Namespace' ? '/validate-namespace' : `/validate-mcpg-dev-${VERSION}-${kind.toLowerCase()}`;
}

export function buildAdmissionApp(options: AdmissionAppOptions): FastifyInstance {
  const app = createHttpServer(options);
  const log = options.logger;
  app.setErrorHandler((error: FastifyError, _request, reply) => answerFailure(error, reply, log));
  for (const kind of [...KINDS.map((k) => k.kind), 'Namespace']) {
    app.post(webhookPath(kind), async (request, reply) => {
      const stopTimer = options.metrics.duration.startTimer({ kind });
      const decoded = decodeReview(request.body);
      if (!('request' in decoded)) {
        options.metrics.requests.inc({ kind, operation: 'unknown', outcome: 'malformed' });
        log.warn({ kind, reason: decoded.message }, 'malformed admission review');
        return reply.code(400).send(encodeResponse(decoded.uid, refusal(400, decoded.message)));
      }
      const { operation } = decoded.request;
      const verdict = await decide(decoded.request, kind, options.decision).catch((error: unknown) => {
        options.metrics.requests.inc({ kind, operation, outcome: 'error' });
        throw error;
      });
      options.metrics.requests.inc({ kind, operation, outcome: verdict.allowed ? 'allowed' : 'denied' });
      stopTimer();
      if (!verdict.allowed) {
        log.info({ kind, operation, object: objectKey(decoded.request), reason: verdict.message }, 'denied');
      }
      return reply.send(encodeResponse(decoded.request.uid, verdict));
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
 * 4xx; anything unexpected is a 500, so the API server applies the webhook's failurePolicy (Fail: refuse).
 */
function answerFailure(error: FastifyError, reply: FastifyReply, log: Logger): FastifyReply {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) log.error({ err: error }, 'admission review failed');
  const message =
    status === 413
      ? `the AdmissionReview is larger than this webhook accepts (${error.message})`
      : status === 500
        ? 'internal error while validating; the API server applies the webhook failure policy'
        : `unreadable AdmissionReview: ${error.message}`;
  return reply.code(status).send(encodeResponse('', refusal(status, message)));
}
