/** The chart's functions on the stack: their pods, their logs, what they watch, and when their resync pings. */
import { setTimeout as sleep } from 'node:timers/promises';
import { eventSources } from '../../functions/shared/src/knative/index.ts';
import { wirings } from '../../hack/knative-manifests.ts';
import { waitFor } from '../cluster/wait.ts';
import type { StackBed } from './bed.ts';
import { MCPG_NAMESPACE } from './mcpg.ts';

export const FUNCTIONS = [
  'server',
  'instance',
  'gateway',
  'route',
  'plugin-set',
  'cluster',
  'tenant',
  'supply-chain',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

type Kubectl = Pick<StackBed, 'kubectl'>;

/** The function pods there are now (terminating ones included: a pod going away still runs). */
export async function functionPods(bed: Kubectl): Promise<{ fn: string; pod: string }[]> {
  const out = await bed.kubectl(
    'get',
    'pods',
    '-n',
    MCPG_NAMESPACE,
    '-l',
    'serving.knative.dev/service',
    '-o',
    'jsonpath={range .items[*]}{.metadata.labels.serving\\.knative\\.dev/service} {.metadata.name}{"\\n"}{end}',
  );
  return out.split('\n').flatMap((line) => {
    const [service = '', pod = ''] = line.split(' ');
    return service.startsWith('mcpg-') ? [{ fn: service.slice('mcpg-'.length), pod }] : [];
  });
}

/** The functions with at least one pod now. */
export async function awakeNow(bed: Kubectl): Promise<Set<string>> {
  return new Set((await functionPods(bed)).map(({ fn }) => fn));
}

/** Every function that had a pod at some moment of the next `ms` (a function pod lives a minute at least). */
export async function functionsAwake(bed: Kubectl, ms: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const fn of await awakeNow(bed)) seen.add(fn);
    await sleep(1_000);
  }
  return seen;
}

/** The functions whose event sources watch `kind`, from the same wiring the chart renders its sources from. */
export async function functionsWatching(kind: string): Promise<string[]> {
  return (await wirings())
    .filter((wiring) => eventSources(wiring).some((source) => source.watches.some((w) => w.kind === kind)))
    .map((wiring) => wiring.name);
}

/** Seconds until the next firing of a `*\/N * * * *` schedule (the form the chart's resync schedules take). */
export function secondsToNextFiring(schedule: string, now = new Date()): number {
  const match = /^\*\/(\d+) \* \* \* \*$/.exec(schedule.trim());
  // Cron restarts the count every hour, so N must divide 60 for the firings to be evenly spaced.
  if (!match || 60 % Number(match[1]) !== 0)
    throw new Error(`the e2e tier understands only "*/N * * * *" schedules with N dividing 60, not "${schedule}"`);
  const period = Number(match[1]) * 60;
  const elapsed = (now.getUTCMinutes() * 60 + now.getUTCSeconds()) % period;
  return period - elapsed;
}

/** The resync schedules of the chart's PingSources. */
async function pingSchedules(bed: Kubectl): Promise<string[]> {
  const out = await bed.kubectl(
    'get',
    'pingsources',
    '-n',
    MCPG_NAMESPACE,
    '-o',
    'jsonpath={range .items[*]}{.spec.schedule}{"\\n"}{end}',
  );
  return out.split('\n').filter(Boolean);
}

/**
 * Waits until every function is at zero pods with at least `marginSeconds` before any resync ping, so what the
 * caller does next is all that can wake a function. A ping wakes every function, and they return to zero after
 * Knative's stable window and grace period (about 90 s), so this can take one resync period and a half.
 */
export async function quietUntilNextPing(bed: Kubectl, marginSeconds = 150): Promise<void> {
  const schedules = await pingSchedules(bed);
  await waitFor(
    async () => {
      const toPing = Math.min(...schedules.map((s) => secondsToNextFiring(s)));
      if (toPing < marginSeconds) return undefined;
      return (await awakeNow(bed)).size === 0 ? true : undefined;
    },
    {
      what: `every function at zero pods, ${marginSeconds} s or more before a resync`,
      timeoutMs: 720_000,
      intervalMs: 2_000,
    },
  );
}

/** The function's recent log, from the pods it runs now, or what kubectl said. */
export async function functionLogs(bed: Kubectl, fn: string): Promise<string> {
  return bed
    .kubectl(
      'logs',
      '-n',
      MCPG_NAMESPACE,
      '-l',
      `serving.knative.dev/service=mcpg-${fn}`,
      '-c',
      'user-container',
      '--tail=40',
    )
    .catch((error: unknown) => String(error));
}
