/**
 * Admission throughput and latency over HTTPS on loopback for a typical gateway review, next to a bare fastify
 * echo server measured in the same run with the same body, TLS and load. The admission function runs as in
 * production: its own process, watch-backed tenant and namespace caches on a real local control plane.
 *
 *   node test/bench/admission.ts [seconds per run, default 10] [connections, default 16]
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { startControlPlane, stopControlPlane } from '../cluster/control-plane.ts';
import { httpsGet, httpsPostJson } from '../cluster/https-probe.ts';
import { freePort } from '../cluster/ports.ts';
import { ManagedProcess, stopProcesses } from '../cluster/processes.ts';
import { waitFor } from '../cluster/wait.ts';
import { example } from '../fixtures/examples.ts';
import { startAdmission } from '../integration/support/admission.ts';
import { loadKubeConfig } from '@mcpg-functions/shared/kube';
import { report, type Row } from './report.ts';
import { installCrdsWith, applyWith } from '../integration/support/crds.ts';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 16);

const gatewayReview = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: 'mcpg.dev', version: 'v1alpha2', kind: 'MCPGGateway' },
    resource: { group: 'mcpg.dev', version: 'v1alpha2', resource: 'mcpggateways' },
    namespace: 'team-a',
    name: 'gw',
    operation: 'CREATE',
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    object: { ...example('MCPGGateway'), metadata: { name: 'gw', namespace: 'team-a' } },
  },
});

async function measure(name: string, url: string, ca: Buffer): Promise<Row> {
  const options = {
    url,
    method: 'POST' as const,
    body: gatewayReview,
    headers: { 'content-type': 'application/json' },
    connections,
    tlsOptions: { ca },
  };
  await autocannon({ ...options, duration: 2 }); // warm-up: JIT, TLS sessions, caches
  const result = await autocannon({ ...options, duration: seconds });
  return {
    server: name,
    'requests/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    'non-2xx': result.non2xx,
    errors: result.errors,
  };
}

const cluster = await startControlPlane({
  onProgress: (line) => {
    console.error(`[cluster] ${line}`);
  },
});
const stopping: (() => Promise<void>)[] = [() => stopControlPlane(cluster)];
try {
  const kube = loadKubeConfig(cluster.kubeconfig);
  await installCrdsWith(kube);
  // The tenant's cap admits the example gateway (autoscaling up to 10): the typical, allowed review.
  await applyWith(
    kube,
    example('MCPGTenant', { namespaces: ['team-a'], quotas: { maxReplicasPerGateway: 10 } }),
  );
  const workDir = path.join(cluster.runDir, 'bench');
  await mkdir(workDir, { recursive: true });
  const admission = await startAdmission({
    kubeconfig: cluster.kubeconfig,
    workDir,
    env: { LOG_LEVEL: 'warn' },
  });
  stopping.unshift(admission.stop);
  const ca = Buffer.from(admission.caBundle, 'base64');

  const echoPort = await freePort();
  const echo = ManagedProcess.start({
    name: 'echo',
    binary: process.execPath,
    args: [
      path.join(import.meta.dirname, 'echo-server.ts'),
      path.join(workDir, 'webhook.crt'),
      path.join(workDir, 'webhook.key'),
      String(echoPort),
    ],
    logDir: workDir,
  });
  stopping.unshift(() => stopProcesses([echo.record]));
  const echoUrl = `https://127.0.0.1:${echoPort}`;
  await waitFor(
    async () =>
      (await httpsGet(`${echoUrl}/health/readiness`, { ca: path.join(workDir, 'ca.crt') })).status === 200
        ? true
        : undefined,
    {
      what: 'the echo server',
      timeoutMs: 15_000,
      watch: [echo],
    },
  );

  const check = await httpsPostJson(
    `${admission.baseUrl}/validate-mcpg-dev-v1alpha2-mcpggateway`,
    ca,
    gatewayReview,
  );
  if (!(JSON.parse(check.body) as { response: { allowed: boolean } }).response.allowed) {
    throw new Error(`the benchmark review should be allowed; the webhook answered ${check.body}`);
  }
  const rows = [
    await measure('fastify echo (floor)', `${echoUrl}/echo`, ca),
    await measure(
      'admission: gateway review',
      `${admission.baseUrl}/validate-mcpg-dev-v1alpha2-mcpggateway`,
      ca,
    ),
  ];
  const ratio = Number(rows[1]?.['requests/s']) / Number(rows[0]?.['requests/s']);
  console.log(
    `admission throughput is ${(ratio * 100).toFixed(0)} % of the echo server's (target: at least 70 %)`,
  );
  await report('admission', rows, { seconds, connections, throughputRatio: ratio });
} finally {
  for (const stop of stopping) await stop();
}
