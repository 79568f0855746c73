import fc from 'fast-check';
import { createLogger, createRegistry } from '@mcpg-functions/shared/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { example } from '../../../test/fixtures/examples.ts';
import { buildAdmissionApp, webhookPath } from './app.ts';
import { OPEN_POLICY } from './policy.ts';
import { fakeLookups } from './fake-lookups.test-support.ts';
import { createAdmissionMetrics } from './metrics.ts';

const registry = createRegistry('admission-test');
const app = buildAdmissionApp({
  logger: createLogger('admission-test', 'silent'),
  registry,
  bodyLimit: 64 * 1024,
  metrics: createAdmissionMetrics(registry),
  decision: {
    lookups: fakeLookups({}),
    lookupFailurePolicy: 'Fail',
    privilegedGroups: ['system:masters'],
    policy: OPEN_POLICY,
  },
});
afterAll(() => app.close());

const gatewayPath = webhookPath('MCPGGateway');

/** Posts a review (an object is sent as JSON) as the API server would; the answer with its body parsed. */
async function post(url: string, body: unknown, type = 'application/json') {
  const reply = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: reply.status, json: () => JSON.parse(String(reply.body)) as ReviewBody };
}

function reviewOf(object: unknown, uid = 'abc') {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'mcpg.dev', version: 'v1alpha2', kind: 'MCPGGateway' },
      namespace: 'mcpg',
      name: 'gw',
      operation: 'CREATE',
      object,
    },
  };
}

/** What the API server needs from every answer: an AdmissionReview v1 with a response carrying allowed. */
interface ReviewBody {
  response: { uid: string; allowed: boolean; status?: { code: number; message: string } };
}

function expectAdmissionReview(body: unknown, uid?: string) {
  expect(body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
  const response = (body as { response: { uid: string; allowed: unknown } }).response;
  expect(typeof response.allowed).toBe('boolean');
  if (uid !== undefined) expect(response.uid).toBe(uid);
}

/** Keys the JSON body reader refuses: `__proto__`, and `constructor` holding `prototype`. */
function poisons(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const own = (key: string) => Object.prototype.hasOwnProperty.call(value, key);
  const constructor: unknown = own('constructor')
    ? (value as { constructor: unknown }).constructor
    : undefined;
  if (
    own('__proto__') ||
    (typeof constructor === 'object' &&
      constructor !== null &&
      Object.prototype.hasOwnProperty.call(constructor, 'prototype'))
  ) {
    return true;
  }
  return Object.values(value).some(poisons);
}

// Three hundred generated reviews take a few seconds, longer on a busy machine; the bound is the run count.
const PROPERTY_TIMEOUT_MS = 60_000;

describe('the admission HTTP surface', () => {
  it('answers a valid review with allowed: true and echoes the uid', async () => {
    const res = await post(gatewayPath, reviewOf(example('MCPGGateway'), 'u-1'));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-1', allowed: true },
    });
  });

  it('refuses an invalid object with a 422 status naming the field', async () => {
    const res = await post(gatewayPath, reviewOf(example('MCPGGateway', { replicas: 0 })));
    expect(res.json().response).toEqual({
      uid: 'abc',
      allowed: false,
      status: { code: 422, message: 'spec.replicas must be at least 1 (got 0)' },
    });
  });

  it.each([
    { name: 'broken JSON', payload: '{"apiVersion":', type: 'application/json', status: 400 },
    { name: 'a plain-text body', payload: 'hello', type: 'text/plain', status: 400 },
    { name: 'an unknown media type', payload: '<x/>', type: 'application/xml', status: 415 },
    {
      name: 'a review of the wrong version',
      payload: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1beta1',
        kind: 'AdmissionReview',
        request: { uid: 'x' },
      }),
      type: 'application/json',
      status: 400,
    },
    {
      name: 'a body over the limit',
      payload: JSON.stringify(reviewOf({ big: 'x'.repeat(70 * 1024) })),
      type: 'application/json',
      status: 413,
    },
  ])('answers $name with a well-formed AdmissionReview and $status', async ({ payload, type, status }) => {
    const res = await post(gatewayPath, payload, type);
    expect(res.status).toBe(status);
    expectAdmissionReview(res.json());
    expect(res.json().response.allowed).toBe(false);
  });

  it('keeps the uid of a review whose request is incomplete', async () => {
    const res = await post(gatewayPath, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'keep-me' },
    });
    expect(res.status).toBe(400);
    expectAdmissionReview(res.json(), 'keep-me');
    expect(res.json().response.status?.message).toMatch(/^malformed AdmissionReview: request\.kind/);
  });

  it('counts requests by kind and outcome in /metrics', async () => {
    const metrics = String((await app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(metrics).toMatch(
      /mcpg_admission_requests_total\{kind="MCPGGateway",operation="CREATE",outcome="denied",function="admission-test"\} [1-9]/,
    );
    expect(metrics).toContain('mcpg_admission_request_duration_seconds_bucket');
  });

  it(
    'answers random specs with an AdmissionReview and never an exception',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1 }), fc.anything(), async (uid, spec) => {
          const object = { ...example('MCPGGateway'), spec };
          const res = await post(gatewayPath, reviewOf(object, uid));
          // The JSON parser refuses prototype-poisoning keys itself; the answer is still an AdmissionReview.
          const poisoned = poisons(spec);
          expect(res.status).toBe(poisoned ? 400 : 200);
          expectAdmissionReview(res.json(), poisoned ? '' : uid);
        }),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers random review bodies on every path with an AdmissionReview',
    async () => {
      const paths = ['MCPGGateway', 'MCPGPluginSet', 'MCPGTenant', 'MCPGRoute', 'Namespace'].map(webhookPath);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue(), async (url, body) => {
          const res = await post(url, JSON.stringify(body));
          expect([200, 400]).toContain(res.status);
          expectAdmissionReview(res.json());
        }),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
