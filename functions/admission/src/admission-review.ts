/** The AdmissionReview v1 wire format: decoding what the API server sends, encoding what it expects back. */
import { z } from 'zod';

const groupVersionKind = z.looseObject({ group: z.string(), version: z.string(), kind: z.string() });

export const admissionRequestSchema = z.looseObject({
  uid: z.string().min(1),
  kind: groupVersionKind,
  namespace: z.string().optional(),
  name: z.string().optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z
    .looseObject({
      username: z.string().optional(),
      uid: z.string().optional(),
      groups: z.array(z.string()).optional(),
      extra: z.record(z.string(), z.array(z.string())).optional(),
    })
    .optional(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});

export type AdmissionRequest = z.infer<typeof admissionRequestSchema>;
export type UserInfo = NonNullable<AdmissionRequest['userInfo']>;

const admissionReviewSchema = z.looseObject({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: admissionRequestSchema,
});

export interface Verdict {
  allowed: boolean;
  /** Why a request is refused: field paths and what to change. */
  message?: string;
  /** 422 for invalid objects, 403 for policy refusals, 500 when the webhook itself failed. */
  code?: number;
  warnings: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
  };
}

export type DecodeResult = { request: AdmissionRequest } | { uid: string; message: string };

/** Decodes a review body; on failure keeps whatever uid it can find so the answer still pairs up. */
export function decodeReview(body: unknown): DecodeResult {
  const parsed = admissionReviewSchema.safeParse(body);
  if (parsed.success) return { request: parsed.data.request };
  const uid = (body as { request?: { uid?: unknown } } | null)?.request?.uid;
  const problem = parsed.error.issues[0];
  const where = problem?.path.length ? problem.path.join('.') : 'body';
  return {
    uid: typeof uid === 'string' ? uid : '',
    message: `malformed AdmissionReview: ${where}: ${problem?.message ?? 'invalid'}; send admission.k8s.io/v1 AdmissionReview`,
  };
}

/** Kubernetes shows at most a few warnings per response and caps each at 120 characters. */
const MAX_WARNINGS = 10;

export function encodeResponse(uid: string, verdict: Verdict): AdmissionReviewResponse {
  const response: AdmissionReviewResponse['response'] = { uid, allowed: verdict.allowed };
  if (!verdict.allowed) {
    response.status = { code: verdict.code ?? 403, message: verdict.message ?? 'refused' };
  }
  if (verdict.warnings.length > 0) response.warnings = verdict.warnings.slice(0, MAX_WARNINGS);
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
