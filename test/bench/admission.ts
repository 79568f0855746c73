/**
 * Admission throughput and latency over HTTPS on loopback for a typical gateway review, next to a bare node:https
 * echo server measured in the same run with the same body, TLS and load. The admission function runs as in
 * production: bundled, with the images' process settings (FUNCTION_PROCESS_ENV) and a JSON kubeconfig, in its own
 * process, with its watch caches on a real local control plane. Also reports its resident memory once ready, before load.
 * A third server, the functions' HTTP host answering "allowed" without deciding, with the same process settings,
 * tells the host's share of the webhook's cost from the decision's; each row gives the server's own CPU time per
 * request, which the load generator's share of the 2 cores does not blur.
 *
 *   node test/bench/admission.ts [seconds per sample, default 5] [rounds, default 3]
 *
 * With ADMISSION_BENCH_CPU_PROF=<folder>, the webhook and the host floor write V8 CPU profiles there when they
 * stop (summarise them with test/bench/cpu-profile.ts). ADMISSION_BENCH_NODE_OPTIONS replaces the webhook's
 * NODE_OPTIONS, to weigh another process setting against the images' on the same run.
 */
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { startControlPlane, stopControlPlane } from '../cluster/control-plane.ts';
import { httpsGet, httpsPostJson } from '../cluster/https-probe.ts';
import { freePort } from '../cluster/ports.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundle, FUNCTION_PROCESS_ENV } from '../../hack/bundle.ts';
import { cpuSeconds, ManagedProcess, residentMiB, stopProcesses } from '../cluster/processes.ts';
import { waitFor } from '../cluster/wait.ts';
import { gatewayReview, reviewTenant } from './gateway-review.ts';
import { startAdmission } from '../integration/support/admission.ts';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { jsonKubeconfig } from './json-kubeconfig.ts';
import { median, report, type Row } from './report.ts';
import { installCrdsWith, applyWith } from '../integration/support/crds.ts';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
/** Moderate load (latency) and saturation (throughput). */
const CONNECTIONS = [4, 16];
const profileDir = process.env.ADMISSION_BENCH_CPU_PROF;

/** The images' process settings, plus V8's CPU profiler when asked for. */
function processEnv(
  name: string,
  nodeOptions = FUNCTION_PROCESS_ENV.NODE_OPTIONS ?? '',
): Record<string, string> {
  const profile = profileDir
    ? ` --cpu-prof --cpu-prof-dir=${path.resolve(profileDir)} --cpu-prof-name=${name}.cpuprofile`
    : '';
  return { ...FUNCTION_PROCESS_ENV, NODE_OPTIONS: `${nodeOptions}${profile}`.trim() };
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  cpuMicrosPerRequest: number;
  /** Of which on threads other than the main one: mostly V8's garbage collector helpers. */
  helperMicrosPerRequest: number;
}

interface Target {
  name: string;
  url: string;
  pid: number;
}

/** CPU time (user and system) one thread of a process has used so far, in microseconds. */
const cpuMicros = (pid: number, thread = pid) => cpuSeconds(pid, thread) * 1e6;

/** CPU time of the whole process and of its main thread (JavaScript; V8's and libuv's helpers run beside it). */
function processCpu(pid: number): { all: number; main: number } {
  const threads = readdirSync(`/proc/${pid}/task`);
  return { all: threads.reduce((sum, t) => sum + cpuMicros(pid, Number(t)), 0), main: cpuMicros(pid) };
}

async function sample(
  { url, pid }: Target,
  ca: Buffer,
  connections: number,
  duration: number,
): Promise<Sample> {
  const cpuBefore = processCpu(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    body: gatewayReview,
    headers: { 'content-type': 'application/json' },
    connections,
    duration,
    tlsOptions: { ca },
  });
  const cpuAfter = processCpu(pid);
  const requests = Math.max(1, result.requests.total);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors,
    cpuMicrosPerRequest: (cpuAfter.all - cpuBefore.all) / requests,
    helperMicrosPerRequest: (cpuAfter.all - cpuAfter.main - (cpuBefore.all - cpuBefore.main)) / requests,
  };
}

/** Alternates the servers round by round, so drift on a shared machine hits both alike; reports medians. */
async function compare(targets: Target[], ca: Buffer): Promise<Row[]> {
  const rows: Row[] = [];
  for (const connections of CONNECTIONS) {
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    for (const target of targets) await sample(target, ca, connections, 2); // warm-up
    for (let round = 0; round < rounds; round += 1) {
      for (const target of targets)
        samples.get(target.name)?.push(await sample(target, ca, connections, seconds));
    }
    for (const [server, list] of samples) {
      rows.push({
        server,
        connections,
        'requests/s': Math.round(median(list.map((s) => s.rps))),
        'p50 ms': median(list.map((s) => s.p50)),
        'p99 ms': median(list.map((s) => s.p99)),
        'server CPU µs/request': Math.round(median(list.map((s) => s.cpuMicrosPerRequest))),
        'off main thread': Math.round(median(list.map((s) => s.helperMicrosPerRequest))),
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
  await applyWith(kube, reviewTenant());
  const workDir = path.join(cluster.runDir, 'bench');
  await mkdir(workDir, { recursive: true });
  const admission = await startAdmission({
    kubeconfig: await jsonKubeconfig(cluster.kubeconfig, workDir),
    workDir,
    // A profiled bundle stays next to its profiles, so their frames map back to the source.
    entry: await bundle(
      'admission',
      path.join(profileDir ? path.resolve(profileDir) : workDir, 'admission-dist'),
    ),
    env: { ...processEnv('admission', process.env.ADMISSION_BENCH_NODE_OPTIONS), LOG_LEVEL: 'warn' },
  });
  await sleep(2_000);
  const idleMiB = residentMiB(admission.pid);
  stopping.unshift(admission.stop);
  const ca = Buffer.from(admission.caBundle, 'base64');

  /** A comparison server on a free port, with the webhook's serving certificate; resolves once it answers. */
  const startServer = async (script: string, args: string[], env?: Record<string, string>) => {
    const port = await freePort();
    const server = ManagedProcess.start({
      name: path.basename(script, '.ts'),
      binary: process.execPath,
      args: [
        path.join(import.meta.dirname, script),
        path.join(workDir, 'webhook.crt'),
        path.join(workDir, 'webhook.key'),
        String(port),
        ...args,
      ],
      logDir: workDir,
      env,
    });
    stopping.unshift(() => stopProcesses([server.record]));
    const url = `https://127.0.0.1:${port}`;
    await waitFor(
      async () =>
        (await httpsGet(`${url}/health/readiness`, { ca: path.join(workDir, 'ca.crt') })).status === 200
          ? true
          : undefined,
      { what: script, timeoutMs: 15_000, watch: [server] },
    );
    return { url, pid: server.record.pid };
  };
  const webhookPath = '/validate-mcpg-dev-v1alpha2-mcpggateway';
  const echo = await startServer('echo-server.ts', []);
  const hostFloor = await startServer('host-floor-server.ts', [webhookPath], processEnv('host-floor'));

  const check = await httpsPostJson(`${admission.baseUrl}${webhookPath}`, ca, gatewayReview);
  if (!(JSON.parse(check.body) as { response: { allowed: boolean } }).response.allowed) {
    throw new Error(`the benchmark review should be allowed; the webhook answered ${check.body}`);
  }
  const rows = await compare(
    [
      { name: 'bare echo (floor)', url: `${echo.url}/echo`, pid: echo.pid },
      { name: 'HTTP host, no decision', url: `${hostFloor.url}${webhookPath}`, pid: hostFloor.pid },
      { name: 'admission: gateway review', url: `${admission.baseUrl}${webhookPath}`, pid: admission.pid },
    ],
    ca,
  );
  const saturated = rows.filter((r) => r.connections === CONNECTIONS.at(-1));
  const rate = (name: string) => Number(saturated.find((r) => r.server === name)?.['requests/s']);
  const ratio = rate('admission: gateway review') / rate('bare echo (floor)');
  console.log(
    `admission throughput is ${(ratio * 100).toFixed(0)} % of the echo server's (target: at least 80 %, p99 under 5 ms); ` +
      `the HTTP host deciding nothing reached ${((rate('HTTP host, no decision') / rate('bare echo (floor)')) * 100).toFixed(0)} %; ` +
      `the webhook was ${idleMiB.toFixed(0)} MiB resident when ready, before load`,
  );
  await report('admission', rows, { secondsPerSample: seconds, rounds, throughputRatio: ratio, idleMiB });
} finally {
  for (const stop of stopping) await stop();
}
