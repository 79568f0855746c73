/**
 * Admission throughput and latency over HTTPS on loopback for a typical gateway review, next to a bare node:https
 * echo server measured in the same run with the same body, TLS and load. The admission function runs as in
 * production: bundled, with the images' process settings (FUNCTION_PROCESS_ENV), in its own process, with its
 * watch-backed caches on a real local control plane. Also reports its resident memory once ready, before load.
 *
 *   node test/bench/admission.ts [seconds per sample, default 5] [rounds, default 3]
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { startControlPlane, stopControlPlane } from '../cluster/control-plane.ts';
import { httpsGet, httpsPostJson } from '../cluster/https-probe.ts';
import { freePort } from '../cluster/ports.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundle, FUNCTION_PROCESS_ENV } from '../../hack/bundle.ts';
import { ManagedProcess, residentMiB, stopProcesses } from '../cluster/processes.ts';
import { waitFor } from '../cluster/wait.ts';
import { example } from '../fixtures/examples.ts';
import { startAdmission } from '../integration/support/admission.ts';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { median, report, type Row } from './report.ts';
import { installCrdsWith, applyWith } from '../integration/support/crds.ts';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
/** Moderate load (latency) and saturation (throughput). */
const CONNECTIONS = [4, 16];

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

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

async function sample(url: string, ca: Buffer, connections: number, duration: number): Promise<Sample> {
  const result = await autocannon({
    url,
    method: 'POST',
    body: gatewayReview,
    headers: { 'content-type': 'application/json' },
    connections,
    duration,
    tlsOptions: { ca },
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}

/** Alternates the servers round by round, so drift on a shared machine hits both alike; reports medians. */
async function compare(targets: { name: string; url: string }[], ca: Buffer): Promise<Row[]> {
  const rows: Row[] = [];
  for (const connections of CONNECTIONS) {
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    for (const target of targets) await sample(target.url, ca, connections, 2); // warm-up
    for (let round = 0; round < rounds; round += 1) {
      for (const target of targets)
        samples.get(target.name)?.push(await sample(target.url, ca, connections, seconds));
    }
    for (const [server, list] of samples) {
      rows.push({
        server,
        connections,
        'requests/s': Math.round(median(list.map((s) => s.rps))),
        'p50 ms': median(list.map((s) => s.p50)),
        'p99 ms': median(list.map((s) => s.p99)),
        failures: list.reduce((sum, s) => sum + s.failures, 0),
      });
    }
  }
  return rows;
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
    entry: await bundle('admission', path.join(workDir, 'admission-dist')),
    env: { ...FUNCTION_PROCESS_ENV, LOG_LEVEL: 'warn' },
  });
  await sleep(2_000);
  const idleMiB = residentMiB(admission.pid);
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
  const rows = await compare(
    [
      { name: 'bare echo (floor)', url: `${echoUrl}/echo` },
      {
        name: 'admission: gateway review',
        url: `${admission.baseUrl}/validate-mcpg-dev-v1alpha2-mcpggateway`,
      },
    ],
    ca,
  );
  const saturated = rows.filter((r) => r.connections === CONNECTIONS.at(-1));
  const ratio = Number(saturated[1]?.['requests/s']) / Number(saturated[0]?.['requests/s']);
  console.log(
    `admission throughput is ${(ratio * 100).toFixed(0)} % of the echo server's (target: at least 80 %, p99 under 5 ms); ` +
      `the webhook was ${idleMiB.toFixed(0)} MiB resident when ready, before load`,
  );
  await report('admission', rows, { secondsPerSample: seconds, rounds, throughputRatio: ratio, idleMiB });
} finally {
  for (const stop of stopping) await stop();
}
