/**
 * Cold start through Knative's activator against a warm pod: the time from sending an MCP `initialize` through
 * Traefik to its answer, for a Service at zero pods (the activator holds the request while a pod starts) and for
 * the same Service with a pod running. Needs the bed `make knative-up` started.
 *
 *   node test/bench/knative-cold-start.ts [trials, default 20]
 */
import { randomBytes } from 'node:crypto';
import { buildAll } from '../../images/builder/build.ts';
import { toolPath } from '../cluster/tools.ts';
import { waitFor } from '../cluster/wait.ts';
import { runningBed } from '../knative/bed.ts';
import { traefikAddress } from '../knative/networking.ts';
import { SERVING_DOMAIN } from '../knative/serving.ts';
import { INITIALIZE, knativeService, postJson, servicePods } from '../e2e/support.ts';
import { percentile, report } from './report.ts';

const trials = Number(process.argv[2] ?? 20);
const say = (line: string) => {
  console.error(`[bench] ${line}`);
};
const bed = runningBed(say);
const namespace = `bench-cold-start-${randomBytes(3).toString('hex')}`;

async function timedInitialize(route: { address: string; host: string }): Promise<number> {
  const started = performance.now();
  const reply = await postJson({ ...route, path: '/mcp' }, INITIALIZE);
  if (reply.status !== 200)
    throw new Error(`initialize answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return performance.now() - started;
}

const [built] = await buildAll({
  registry: `${bed.push.registry}/mcpg`,
  crane: toolPath('crane'),
  cosign: toolPath('cosign'),
  insecure: true,
  only: ['mcp-test-http'],
  onProgress: say,
});
if (!built) throw new Error('the mcp-test-http image was not built');
await bed.kubectl('create', 'namespace', namespace);
try {
  // The least stable window Serving takes, so each cold trial waits about a minute for zero, not several.
  const service = knativeService(namespace, 'mcp', built.reference, {
    annotations: { 'autoscaling.knative.dev/window': '6s' },
  });
  await bed.apply(JSON.stringify(service));
  await bed.kubectl('wait', '-n', namespace, 'ksvc/mcp', '--for=condition=Ready', '--timeout=300s');
  const route = { address: await traefikAddress(bed), host: `mcp.${namespace}.${SERVING_DOMAIN}` };

  const cold: number[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    await waitFor(async () => ((await servicePods(bed, namespace, 'mcp')).length === 0 ? true : undefined), {
      what: 'the Service to reach zero pods',
      timeoutMs: 300_000,
      intervalMs: 1000,
    });
    cold.push(await timedInitialize(route));
    say(`cold ${trial + 1}/${trials}: ${cold.at(-1)?.toFixed(0)} ms`);
  }
  const warm: number[] = [];
  await timedInitialize(route);
  for (let trial = 0; trial < trials; trial += 1) warm.push(await timedInitialize(route));

  const row = (name: string, values: number[]) => ({
    case: name,
    trials: values.length,
    'p50 ms': Math.round(percentile(values, 50)),
    'p95 ms': Math.round(percentile(values, 95)),
    'max ms': Math.round(Math.max(...values)),
  });
  await report(
    'knative-cold-start',
    [row('cold (from zero, through the activator)', cold), row('warm', warm)],
    {
      samples: { cold, warm },
    },
  );
} finally {
  await bed.kubectl('delete', 'namespace', namespace, '--wait=false').catch(() => undefined);
}
