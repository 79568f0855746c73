/**
 * The chart's functions on real Knative (needs the stack `make knative-up` installed):
 *   1. function pod starts while nothing changes, counted over `idleMinutes` and given per hour;
 *   2. cold start of each function image through the activator: a health request to the function's cluster-local
 *      route with the function at zero pods, to its answer; and the pod's memory (working set) just after;
 *   3. an MCPGServer created until its Deployment exists, with the server function at zero and warm (p50/p95);
 *   4. the server function's memory under a burst of 200 new MCPGServers (16 created at once).
 * For 2 and 3 each function gets a 6 s stable window (Serving's least) so that it reaches zero in about 40 s
 * instead of 90; the window only decides when an idle pod goes, not how a cold one starts. The chart's own
 * annotations are put back at the end.
 *
 *   node test/bench/knative-functions.ts [trials, default 20] [idleMinutes, default 15]
 * (0 trials or 0 minutes leave that part out).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { readState } from '../cluster/state.ts';
import { waitFor } from '../cluster/wait.ts';
import { runningBed } from '../knative/bed.ts';
import { awakeNow, functionPods, FUNCTIONS, quietUntilNextPing } from '../knative/functions.ts';
import { MCPG_NAMESPACE } from '../knative/mcpg.ts';
import { traefikAddress } from '../knative/networking.ts';
import { percentile, report, type Row } from './report.ts';

const trials = Number(process.argv[2] ?? 20);
const idleMinutes = Number(process.argv[3] ?? 15);
const say = (line: string) => {
  console.error(`[bench] ${line}`);
};
const bed = runningBed(say);
const config = loadKubeConfig(bed.kubeconfig);
const namespace = `bench-functions-${randomBytes(3).toString('hex')}`;
const MiB = 2 ** 20;

/** Function pods seen while nothing changes, by function. */
async function idleStarts(minutes: number): Promise<Map<string, Set<string>>> {
  const seen = new Map<string, Set<string>>();
  const until = Date.now() + minutes * 60_000;
  while (Date.now() < until) {
    for (const { fn, pod } of await functionPods(bed)) seen.set(fn, (seen.get(fn) ?? new Set()).add(pod));
    await sleep(2_000);
  }
  return seen;
}

interface StatsSummary {
  pods?: {
    podRef: { name: string; namespace: string };
    containers?: { name: string; memory?: { workingSetBytes?: number } }[];
  }[];
}

/** The function containers of a kubelet summary, by pod. */
function functionContainers(summary: StatsSummary): [string, { fn: string; bytes: number }][] {
  return (summary.pods ?? []).flatMap((pod) => {
    const fn = FUNCTIONS.find((f) => pod.podRef.name.startsWith(`mcpg-${f}-`));
    const bytes = pod.containers?.find((c) => c.name === 'user-container')?.memory?.workingSetBytes;
    return pod.podRef.namespace === MCPG_NAMESPACE && fn && bytes ? [[pod.podRef.name, { fn, bytes }]] : [];
  });
}

/**
 * The kubelet's stats summary, read from the kubelet itself with the API server's kubelet client certificate: the
 * API server does not proxy to a node whose address is loopback, as the bed's real node's is.
 */
async function kubeletSummary(): Promise<StatsSummary> {
  const nodes = await kubeRequest<{
    items: {
      status: { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
      metadata: { name: string };
    }[];
  }>(config, { method: 'GET', path: '/api/v1/nodes' });
  const pki = path.join(readState()?.runDir ?? '', 'pki');
  const [cert, key] = await Promise.all(
    ['crt', 'key'].map((ext) => readFile(path.join(pki, `apiserver-kubelet-client.${ext}`))),
  );
  const summaries = await Promise.all(
    nodes.items
      .filter((node) => !node.metadata.name.startsWith('kwok-'))
      .map(
        (node) =>
          new Promise<StatsSummary>((resolve, reject) => {
            const port = node.status.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
            // The kubelet's serving certificate names the node, not the loopback address dialled.
            const options = {
              host: '127.0.0.1',
              port,
              path: '/stats/summary',
              cert,
              key,
              rejectUnauthorized: false,
            };
            https
              .get(options, (reply) => {
                const chunks: Buffer[] = [];
                reply.on('data', (chunk: Buffer) => chunks.push(chunk));
                reply.on('end', () => {
                  resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as StatsSummary);
                });
              })
              .on('error', reject);
          }),
      ),
  );
  return { pods: summaries.flatMap((summary) => summary.pods ?? []) };
}

/** The working set of every function container now, by pod. */
async function workingSets(): Promise<Map<string, { fn: string; bytes: number }>> {
  return new Map(functionContainers(await kubeletSummary()));
}

/** A GET through Traefik to a route, by host name; resolves with the time to the answer. */
function timedGet(address: string, host: string, path: string): Promise<number> {
  const [hostname, port] = address.split(':');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(
      { hostname, port: Number(port), path, headers: { host }, timeout: 120_000 },
      (reply) => {
        reply.resume();
        reply.on('end', () => {
          if (reply.statusCode === 200) resolve(performance.now() - started);
          else reject(new Error(`${host}${path} answered ${reply.statusCode}`));
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${host} did not answer`)));
    request.on('error', reject);
  });
}

async function setWindow(fn: string, window: string | null): Promise<void> {
  const patch = {
    spec: { template: { metadata: { annotations: { 'autoscaling.knative.dev/window': window } } } },
  };
  await bed.kubectl(
    'patch',
    'ksvc',
    '-n',
    MCPG_NAMESPACE,
    `mcpg-${fn}`,
    '--type=merge',
    '-p',
    JSON.stringify(patch),
  );
  await bed.kubectl(
    'wait',
    '-n',
    MCPG_NAMESPACE,
    `ksvc/mcpg-${fn}`,
    '--for=condition=Ready',
    '--timeout=300s',
  );
}

async function atZero(fn: string): Promise<void> {
  await waitFor(async () => ((await awakeNow(bed)).has(fn) ? undefined : true), {
    what: `mcpg-${fn} at zero pods`,
    timeoutMs: 600_000,
    intervalMs: 1_000,
  });
}

function server(name: string) {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace },
    // No pods: the Deployment is what is measured, and the node's two CPUs stay with the functions.
    spec: { image: 'registry.invalid/bench/mcp:1', replicas: 0, port: 8080 },
  };
}

/** Creates an MCPGServer and resolves with the time until its Deployment exists. */
async function createToDeployment(name: string): Promise<number> {
  const started = performance.now();
  await kubeRequest(config, {
    method: 'POST',
    path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace}/mcpgservers`,
    body: server(name),
  });
  await waitFor(
    () =>
      kubeRequest(config, {
        method: 'GET',
        path: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
      }).then(
        () => true,
        () => undefined,
      ),
    { what: `the Deployment of ${name}`, timeoutMs: 180_000, intervalMs: 50 },
  );
  return performance.now() - started;
}

const summary = (name: string, values: number[]): Row => ({
  case: name,
  trials: values.length,
  'p50 ms': Math.round(percentile(values, 50)),
  'p95 ms': Math.round(percentile(values, 95)),
  'max ms': Math.round(Math.max(...values)),
});

await bed.kubectl('create', 'namespace', namespace);
try {
  say(`counting function pod starts over ${idleMinutes} idle minutes`);
  const idle = await idleStarts(idleMinutes);
  const idleRows: Row[] = (idleMinutes > 0 ? FUNCTIONS : []).map((fn) => ({
    function: fn,
    'pods started': idle.get(fn)?.size ?? 0,
    'per hour': Math.round(((idle.get(fn)?.size ?? 0) * 60) / idleMinutes),
  }));

  for (const fn of FUNCTIONS) await setWindow(fn, '6s');
  const address = await traefikAddress(bed);
  const coldRows: Row[] = [];
  for (const fn of FUNCTIONS) {
    await quietUntilNextPing(bed, 60);
    await atZero(fn);
    const host = `mcpg-${fn}.${MCPG_NAMESPACE}.svc.cluster.local`;
    const cold = await timedGet(address, host, '/health/readiness');
    const warm = await timedGet(address, host, '/health/readiness');
    await sleep(5_000);
    const memory = [...(await workingSets()).values()].filter((m) => m.fn === fn).map((m) => m.bytes);
    coldRows.push({
      function: fn,
      'cold ms': Math.round(cold),
      'warm ms': Math.round(warm),
      'idle MiB': memory.length ? Math.round(Math.max(...memory) / MiB) : '-',
    });
    say(`${fn}: cold ${cold.toFixed(0)} ms`);
  }

  const fromZero: number[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    await quietUntilNextPing(bed, 60);
    await atZero('server');
    fromZero.push(await createToDeployment(`cold-${trial}`));
    say(`server from zero ${trial + 1}/${trials}: ${fromZero.at(-1)?.toFixed(0)} ms`);
  }
  const warm: number[] = [];
  for (let trial = 0; trial < trials; trial += 1) warm.push(await createToDeployment(`warm-${trial}`));

  say('burst: 200 MCPGServers, 16 created at once');
  let peak = 0;
  let peakPods = 0;
  const burstDone = new AbortController();
  const sampler = (async () => {
    while (!burstDone.signal.aborted) {
      const sets = [...(await workingSets()).values()].filter((m) => m.fn === 'server');
      peak = Math.max(peak, ...sets.map((m) => m.bytes));
      peakPods = Math.max(peakPods, sets.length);
      await sleep(1_000);
    }
  })();
  const burstStarted = performance.now();
  const names = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
  for (let i = 0; i < names.length; i += 16)
    await Promise.all(names.slice(i, i + 16).map((name) => createToDeployment(name)));
  const burstMs = performance.now() - burstStarted;
  burstDone.abort();
  await sampler;

  await report(
    'knative-functions',
    trials > 0
      ? [
          summary('MCPGServer to Deployment, server function at zero', fromZero),
          summary('MCPGServer to Deployment, server function warm', warm),
        ]
      : [],
    {
      coldStarts: coldRows,
      idleStarts: { minutes: idleMinutes, rows: idleRows },
      burst: {
        servers: 200,
        seconds: Math.round(burstMs / 100) / 10,
        peakWorkingSetMiB: Math.round(peak / MiB),
        peakPods,
      },
      samples: { fromZero, warm },
    },
  );
  console.table(coldRows);
  console.table(idleRows);
  console.log(
    `burst of 200: all Deployments in ${(burstMs / 1000).toFixed(1)} s; server function peak working set ${Math.round(peak / MiB)} MiB over ${peakPods} pod(s)`,
  );
} finally {
  for (const fn of FUNCTIONS) await setWindow(fn, null).catch(() => undefined);
  await bed.kubectl('delete', 'namespace', namespace, '--wait=false').catch(() => undefined);
}
