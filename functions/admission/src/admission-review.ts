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

export const admissionReviewSchema = z.looseObject({
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

type Fields = Record<string, unknown>;

/** An object the schema reads as one: not null, not an array, and no own `__proto__` (the schema drops that key). */
const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Object.hasOwn(value, '__proto__');
const isString = (value: unknown): value is string => typeof value === 'string';
const absentOr = (value: unknown, check: (present: unknown) => boolean) =>
  value === undefined || check(value);
const isStrings = (value: unknown) => Array.isArray(value) && value.every(isString);
const OPERATIONS = new Set<unknown>(admissionRequestSchema.shape.operation.options);

/** `extra`: a plain object (as JSON makes them) of string lists. */
function isExtra(value: unknown): boolean {
  if (
    !isFields(value) ||
    Object.getPrototypeOf(value) !== Object.prototype ||
    Object.hasOwn(value, 'constructor')
  )
    return false;
  return Object.values(value).every(isStrings);
}

function isUserInfo(value: unknown): boolean {
  return (
    isFields(value) &&
    absentOr(value.username, isString) &&
    absentOr(value.uid, isString) &&
    absentOr(value.groups, isStrings) &&
    absentOr(value.extra, isExtra)
  );
}

/**
 * A review the schema accepts as it is, recognised without the schema: the API server sends well-formed reviews,
 * and the schema's copy of one is a share of every review's cost. Whatever this does not recognise goes to the
 * schema, which refuses it with its reason; it recognises nothing the schema refuses (a unit test compares them).
 */
function isWellFormed(body: unknown): body is { request: AdmissionRequest } {
  return (
    isFields(body) &&
    body.apiVersion === 'admission.k8s.io/v1' &&
    body.kind === 'AdmissionReview' &&
    isRequest(body.request)
  );
}

function isRequest(request: unknown): boolean {
  return (
    isFields(request) &&
    isString(request.uid) &&
    request.uid !== '' &&
    OPERATIONS.has(request.operation) &&
    isKind(request.kind) &&
    absentOr(request.namespace, isString) &&
    absentOr(request.name, isString) &&
    absentOr(request.dryRun, (dryRun) => typeof dryRun === 'boolean') &&
    absentOr(request.userInfo, isUserInfo)
  );
}

const isKind = (kind: unknown) =>
  isFields(kind) && isString(kind.group) && isString(kind.version) && isString(kind.kind);

/** Decodes a review body; on failure keeps whatever uid it can find so the answer still pairs up. */
export function decodeReview(body: unknown): DecodeResult {
  if (isWellFormed(body)) return { request: body.request };
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

/** A handful per response: the API server relays each warning as a Warning header and truncates long ones. */
const MAX_WARNINGS = 10;

export function encodeResponse(uid: string, verdict: Verdict): AdmissionReviewResponse {
  const response: AdmissionReviewResponse['response'] = { uid, allowed: verdict.allowed };
  if (!verdict.allowed) {
    response.status = { code: verdict.code ?? 403, message: verdict.message ?? 'refused' };
  }
  if (verdict.warnings.length > 0) response.warnings = verdict.warnings.slice(0, MAX_WARNINGS);
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
