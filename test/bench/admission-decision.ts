/**
 * CPU time per review of the admission webhook's route in this process, without TLS or sockets: the body's JSON
 * parse, the decision on a cluster held in memory (the tenant of test/bench/admission.ts holding the namespace),
 * the metrics and the answer; next to the functions' host answering "allowed" without deciding. Run it with the
 * images' process settings (NODE_OPTIONS) to see theirs, such as the semi-space's share:
 *
 *   node test/bench/admission-decision.ts [reviews per sample, default 20000] [samples, default 5]
 */
import {
  createLogger,
  createRegistry,
  HttpHost,
  jsonBody,
  jsonReply,
  type HttpReply,
} from '@mcpg-functions/shared/runtime';
import type { TenantSpec } from '@mcpg-functions/shared/api';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildAdmissionApp, webhookPath } from '../../functions/admission/src/app.ts';
import { fakeLookups } from '../../functions/admission/src/fake-lookups.test-support.ts';
import { createAdmissionMetrics } from '../../functions/admission/src/metrics.ts';
import { OPEN_POLICY } from '../../functions/admission/src/policy.ts';
import { gatewayReview, reviewTenant } from './gateway-review.ts';
import { median, report } from './report.ts';

const reviews = Number(process.argv[2] ?? 20_000);
const samples = Number(process.argv[3] ?? 5);
const path = webhookPath('MCPGGateway');

const registry = createRegistry('admission');
const tenant = reviewTenant();
const webhook = buildAdmissionApp({
  logger: createLogger('admission', 'warn'),
  registry,
  metrics: createAdmissionMetrics(registry),
  decision: {
    lookups: fakeLookups({
      tenants: [{ name: tenant.metadata.name, spec: tenant.spec as unknown as TenantSpec }],
      namespaceLabels: { 'team-a': {} },
    }),
    lookupFailurePolicy: 'Fail',
    privilegedGroups: ['system:masters'],
    policy: OPEN_POLICY,
  },
});
const hostAlone = new HttpHost().route('POST', path, (request) => {
  const { uid } = (jsonBody(request) as { request: { uid: string } }).request;
  return jsonReply(200, {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, allowed: true },
  });
});

const post = (host: HttpHost) =>
  host.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json' },
    body: gatewayReview,
  });

/** Young-generation collections so far: with a fixed semi-space, a measure of what the reviews allocate. */
let scavenges = 0;
new PerformanceObserver((list) => {
  scavenges += list
    .getEntries()
    .filter(
      (entry) =>
        (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR,
    ).length;
}).observe({ entryTypes: ['gc'] });

/** CPU (user and system, µs) and young-generation collections per review, answering reviews one after another. */
async function measure(host: HttpHost): Promise<{ cpu: number; scavenges: number }> {
  const before = { cpu: process.cpuUsage(), scavenges };
  for (let i = 0; i < reviews; i += 1) await post(host);
  const used = process.cpuUsage(before.cpu);
  await sleep(100); // the observer hears of collections a little later

  return { cpu: (used.user + used.system) / reviews, scavenges: (scavenges - before.scavenges) / reviews };
}

const answer: HttpReply = await post(webhook);
if (!(JSON.parse(String(answer.body)) as { response: { allowed: boolean } }).response.allowed)
  throw new Error(`the benchmark review should be allowed; the webhook answered ${String(answer.body)}`);

const hosts = { 'HTTP host, no decision': hostAlone, 'admission: gateway review': webhook };
for (const host of Object.values(hosts)) await measure(host); // warm-up
const measured = new Map<string, { cpu: number; scavenges: number }[]>(
  Object.keys(hosts).map((name) => [name, []]),
);
for (let i = 0; i < samples; i += 1)
  for (const [name, host] of Object.entries(hosts)) measured.get(name)?.push(await measure(host));
await report(
  'admission-decision',
  [...measured].map(([server, values]) => ({
    server,
    'CPU µs/review': +median(values.map((v) => v.cpu)).toFixed(1),
    'scavenges/1,000 reviews': +median(values.map((v) => 1000 * v.scavenges)).toFixed(1),
  })),
  { reviews, samples, nodeOptions: process.env.NODE_OPTIONS ?? '' },
);
