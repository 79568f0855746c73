/**
 * Head to head: one workload, one system, a fresh local control plane, and the figures every operator can be
 * compared by — seconds until all Deployments exist, are Available (KWOK readies the pods) and all objects
 * report Running/Ready; the system's reads and writes by verb and its Event writes, counted by the API server
 * itself (see api-accounting.ts); its writes per minute during a quiet period after convergence; the CPU time
 * its processes used until convergence; and their resident memory, idle and at peak. The milestones are followed
 * with watches, not polled lists, so that measuring them costs the API server next to nothing.
 *
 * The floor workload is the servers workload without an operator: the benchmark creates the Deployments the
 * server function would, and their "all Available" is the soonest any system's servers can be Running.
 *
 *   node test/bench/h2h.ts [--servers 200] [--gateways 100] [--workloads servers,floor,gateways]
 *   node test/bench/h2h.ts --operator BIN --crds DIR --sample FILE [--operator-arg ARG]... [--count 200] [--label NAME]
 *   common: [--concurrency 16] [--phase-timeout 180] [--quiet 60]   (seconds)
 *   [--fastest-peer-deployments 1.5]: the fastest peer's seconds to every Deployment, which the targets double
 *   [--repeat 1]: runs the workloads that many rounds, one after another in each round, so that a machine whose pace
 *   drifts slows every system alike; prints each run and every workload's spread, and judges the targets on each
 *   workload's median run (by seconds to every Deployment), each target's figure in every round beside it.
 *   LOG_LEVEL=debug (default warn) sets our function's log level; its log is in the control plane's run folder.
 *   H2H_FUNCTION_NODE_OPTIONS replaces our function's NODE_OPTIONS (the images' settings), for instance with
 *   '--max-semi-space-size=1 --cpu-prof --cpu-prof-dir=<folder>' to profile it (summarise with cpu-profile.ts).
 *
 * A run of ours ends with the performance targets (h2h-targets.ts): each with its figure and whether it was met.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connectionFromKubeconfig, WatchCache } from '@mcpg-functions/shared/kube';
import { createLogger } from '@mcpg-functions/shared/runtime';
import { cpuSeconds, residentMiB } from '../cluster/processes.ts';
import { pool, runOnControlPlane, type ScriptBed } from '../cluster/script.ts';
import {
  allGetsByResource,
  allRequestsBetween,
  installAccounting,
  requestsBetween,
  scrapeApiServer,
  writesOf,
  type RequestCounts,
} from './api-accounting.ts';
import {
  applyObject,
  gatewaysWorkload,
  isAvailable,
  ourFunctions,
  serversWorkload,
  SYSTEM_NAMESPACE,
  WORKLOAD_NAMESPACE,
  type Conditioned,
  type RunningSystem,
  type System,
  type Workload,
} from './h2h-systems.ts';
import { floorClient, floorWorkload } from './h2h-floor.ts';
import { peerOperator } from './h2h-peer.ts';
import { total } from './prometheus.ts';
import { report, type Row } from './report.ts';
import { targetVerdicts } from './h2h-targets.ts';
import { medianRuns, roundsOf, spreads } from './h2h-rounds.ts';

/** Calls `tick` every `seconds` until the returned stop is called (errors are counted, not thrown). */
function every(seconds: number, tick: () => Promise<unknown>): { stop: () => void; failures: () => number } {
  let failures = 0;
  const timer = setInterval(() => {
    tick().catch(() => (failures += 1));
  }, seconds * 1000);
  return {
    stop: () => {
      clearInterval(timer);
    },
    failures: () => failures,
  };
}

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '200' },
    gateways: { type: 'string', default: '100' },
    workloads: { type: 'string', default: 'servers,floor,gateways' },
    operator: { type: 'string' },
    'operator-arg': { type: 'string', multiple: true, default: [] },
    crds: { type: 'string' },
    sample: { type: 'string' },
    count: { type: 'string', default: '200' },
    label: { type: 'string', default: 'peer' },
    concurrency: { type: 'string', default: '16' },
    'phase-timeout': { type: 'string', default: '180' },
    quiet: { type: 'string', default: '60' },
    'fastest-peer-deployments': { type: 'string', default: '1.5' },
    repeat: { type: 'string', default: '1' },
  },
});

function positive(option: string): number {
  const value = Number(values[option as keyof typeof values]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${option} must be a positive whole number`);
  return value;
}

const concurrency = positive('concurrency');
const phaseTimeoutMs = positive('phase-timeout') * 1000;
const quietSeconds = positive('quiet');
const rounds = positive('repeat');
const fastestPeer = Number(values['fastest-peer-deployments']);
if (!(fastestPeer > 0)) throw new Error('--fastest-peer-deployments must be a positive number of seconds');

interface Milestones {
  created?: number;
  deploymentsExist?: number;
  allAvailable?: number;
  allReady?: number;
}

/** One look at the milestones: how many Deployments exist and are Available, and how many objects are ready. */
interface Progress {
  second: number;
  deployments: number;
  available: number;
  ready: number;
}

interface Result {
  system: string;
  workload: string;
  count: number;
  /** Seconds from the first create; null when not reached within the phase timeout. */
  seconds: Record<keyof Milestones, number | null>;
  operator: RequestCounts & { writesTotal: number; readsNet: number };
  helpers?: RequestCounts;
  idle: { seconds: number; writes: number; writesPerMinute: number };
  /** Every client's requests by verb (apiserver_request_total), for context: the bench, controllers, KWOK. */
  apiserverRequestsByVerb: Record<string, number>;
  /** Every client's GETs by resource, likewise: where the system's reads go. */
  apiserverGetsByResource: Record<string, number>;
  memoryMiB: { operator: MemoryFigures; helpers?: MemoryFigures };
  /** CPU seconds used from the first create until every milestone was reached; null for a client-only system. */
  cpuSeconds: { operator: number; helpers?: number } | null;
  /**
   * CPU seconds of every part of the run (each control-plane process, the system, its adapters, this benchmark)
   * from the first create until every Deployment existed: the parts share the machine's cores, so this says
   * where the time to the first children goes. Null when the Deployments never all existed.
   */
  cpuToDeployments: Record<string, number> | null;
  /** Resync pings that failed or were refused (resync-driven systems only). */
  resyncFailures: number;
  /** Every look that showed a change, from the first create until the last milestone. */
  progress: Progress[];
}

interface MemoryFigures {
  idle: number;
  peak: number;
  afterQuiet: number;
}

const isReady = (o: Conditioned) =>
  ['Running', 'Ready'].includes(o.status?.phase ?? '') ||
  (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Every process in the process groups `leaders` lead (a started process leads its own), so children count. */
function processGroups(leaders: number[]): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (leaders.includes(group)) members.push(Number(entry));
    } catch {
      // The process ended while the folder was read.
    }
  }
  return members;
}

/** CPU seconds the processes of some process groups have used so far. */
function groupCpuSeconds(leaders: number[]): number {
  return processGroups(leaders).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/** The CPU seconds a system's processes use from now until stopped; null for a client-only system. */
function cpuMeter({ operator, helpers }: RunningSystem) {
  const at = (pids: number[] | undefined) => groupCpuSeconds(pids ?? []);
  const before = { operator: at(operator.pids), helpers: at(helpers?.pids) };
  const used = (pids: number[] | undefined, from: number) => Number((at(pids) - from).toFixed(2));
  return {
    stop: (): Result['cpuSeconds'] =>
      operator.pids.length === 0
        ? null
        : {
            operator: used(operator.pids, before.operator),
            ...(helpers ? { helpers: used(helpers.pids, before.helpers) } : {}),
          },
  };
}

/** CPU seconds each part of a run uses from now until stopped (see Result['cpuToDeployments']). */
function cpuByPart(bed: ScriptBed, { operator, helpers }: RunningSystem) {
  const parts: Record<string, number[]> = Object.fromEntries(
    bed.cluster.processes.map((record) => [record.name, [record.pid]]),
  );
  if (operator.pids.length > 0) parts.system = operator.pids;
  if (helpers) parts.adapters = helpers.pids;
  const read = (): Record<string, number> => {
    const own = process.cpuUsage();
    return {
      ...Object.fromEntries(Object.entries(parts).map(([name, pids]) => [name, groupCpuSeconds(pids)])),
      benchmark: (own.user + own.system) / 1e6,
    };
  };
  const before = read();
  return {
    stop: (): Record<string, number> =>
      Object.fromEntries(
        Object.entries(read())
          .map(([name, seconds]) => [name, Number((seconds - (before[name] ?? 0)).toFixed(2))] as const)
          .sort(([, a], [, b]) => b - a),
      ),
  };
}

/**
 * Resident memory of some processes, summed, sampled until stopped: when idle (started, watches open, before
 * the first create), at the peak, and after the quiet period.
 */
function memorySampler(leaders: number[]) {
  const now = () => processGroups(leaders).reduce((sum, pid) => sum + residentMiB(pid), 0);
  const idle = Math.round(now());
  let peak = idle;
  const timer = setInterval(() => (peak = Math.max(peak, now())), 500);
  return {
    stop: (): MemoryFigures => {
      clearInterval(timer);
      const after = now();
      return { idle, peak: Math.round(Math.max(peak, after)), afterQuiet: Math.round(after) };
    },
  };
}

/** Notes the milestones one look shows reached (the first time each is), and the look itself. */
function note(
  { at, onDeploymentsExist }: { at: Milestones; onDeploymentsExist: () => void },
  progress: Progress[],
  count: number,
  poll: Progress,
): void {
  progress.push(poll);
  if (poll.deployments >= count && at.deploymentsExist === undefined) {
    at.deploymentsExist = poll.second;
    onDeploymentsExist();
  }
  if (poll.available >= count) at.allAvailable ??= poll.second;
  if (poll.ready >= count) at.allReady ??= poll.second;
}

/** How often the milestones are read from the watched objects (memory only: no request per look). */
const LOOK_MS = 50;

/**
 * Follows the Deployments and the workload's objects with watches (list, then watch from there), so that the
 * measuring costs the API server one event per change rather than whole lists again and again, and notes each
 * look that shows a change, until every milestone is reached or one phase takes longer than the phase timeout.
 */
async function followMilestones(
  bed: ScriptBed,
  workload: Workload,
  clock: { since: () => number; at: Milestones; onDeploymentsExist: () => void },
) {
  const { since, at } = clock;
  const ready = workload.isReady ?? isReady;
  const connection = await connectionFromKubeconfig(bed.cluster.kubeconfig);
  const logger = createLogger('h2h', 'warn');
  const watched = (path: string, keep: (object: Conditioned) => boolean) =>
    new WatchCache(connection, { path, keep: (object) => keep(object as Conditioned), logger });
  const deployments = watched(`/apis/apps/v1/namespaces/${WORKLOAD_NAMESPACE}/deployments`, isAvailable);
  const apiVersion = workload.object('x').apiVersion;
  const objects = watched(`/apis/${apiVersion}/namespaces/${WORKLOAD_NAMESPACE}/${workload.plural}`, ready);
  await Promise.all([deployments.start(), objects.start()]);
  const progress: Progress[] = [];
  try {
    for (;;) {
      if (!deployments.ready || !objects.ready) throw new Error('a watch of the milestones broke off');
      const now = since();
      const poll = {
        second: Number(now.toFixed(2)),
        deployments: deployments.list().length,
        available: deployments.list().filter(Boolean).length,
        ready: objects.list().filter(Boolean).length,
      };
      const last = progress.at(-1);
      if (!last || (['deployments', 'available', 'ready'] as const).some((k) => last[k] !== poll[k]))
        note(clock, progress, workload.count, poll);
      const phases = [at.deploymentsExist, at.allAvailable, at.allReady];
      const lastProgress = Math.max(0, ...phases.map((t) => t ?? 0));
      if (phases.every((t) => t !== undefined) || (now - lastProgress) * 1000 > phaseTimeoutMs)
        return progress;
      await sleep(LOOK_MS);
    }
  } finally {
    await Promise.all([deployments.stop(), objects.stop()]);
  }
}

function reached(at: Milestones): Result['seconds'] {
  const seconds = (value: number | undefined) => (value === undefined ? null : Number(value.toFixed(1)));
  return {
    created: seconds(at.created),
    deploymentsExist: seconds(at.deploymentsExist),
    allAvailable: seconds(at.allAvailable),
    allReady: seconds(at.allReady),
  };
}

async function measure(system: System, workload: Workload): Promise<Result> {
  let result: Result | undefined;
  await runOnControlPlane(`h2h-${workload.name}`, async (bed) => {
    const { kube } = bed;
    await bed.createNamespace(SYSTEM_NAMESPACE);
    await bed.createNamespace(WORKLOAD_NAMESPACE);
    const running = await system.start(bed, workload);
    const { operator, helpers } = running;
    await installAccounting(kube, [operator.identity, ...(helpers ? [helpers.identity] : [])]);
    const resync = running.resync
      ? every(running.resync.seconds, running.resync.send)
      : { stop: () => undefined, failures: () => 0 };
    await workload.prepare?.(kube);
    await sleep(3_000); // the adapters' and the operator's watches start
    const operatorMemory = memorySampler(operator.pids);
    const helperMemory = memorySampler(helpers?.pids ?? []);

    const before = await scrapeApiServer(bed.cluster);
    const cpu = cpuMeter(running);
    const burst = cpuByPart(bed, running);
    let cpuToDeployments: Record<string, number> | null = null;
    const t0 = performance.now();
    const since = () => (performance.now() - t0) / 1000;
    const at: Milestones = {};
    const names = Array.from({ length: workload.count }, (_, i) => `h2h-${i}`);
    const creating = pool(names, concurrency, (name) =>
      applyObject(running.creator ?? kube, workload.object(name), workload.plural),
    ).then(() => (at.created = since()));
    const progress = await followMilestones(bed, workload, {
      since,
      at,
      onDeploymentsExist: () => (cpuToDeployments = burst.stop()),
    });
    await creating;
    const converged = await scrapeApiServer(bed.cluster);
    const cpuUsed = cpu.stop();
    await sleep(quietSeconds * 1000);
    const quiet = await scrapeApiServer(bed.cluster);
    resync.stop();

    const requests = requestsBetween(before, converged, operator.identity);
    const idleWrites = writesOf(requestsBetween(converged, quiet, operator.identity));
    const helperMiB = helperMemory.stop();
    result = {
      system: system.label,
      workload: workload.name,
      count: workload.count,
      seconds: reached(at),
      operator: {
        ...requests,
        writesTotal: writesOf(requests),
        readsNet: total(requests.reads) - (requests.reads.watch ?? 0),
      },
      ...(helpers ? { helpers: requestsBetween(before, converged, helpers.identity) } : {}),
      idle: {
        seconds: quietSeconds,
        writes: idleWrites,
        writesPerMinute: Number(((idleWrites * 60) / quietSeconds).toFixed(1)),
      },
      apiserverRequestsByVerb: allRequestsBetween(before, converged),
      apiserverGetsByResource: allGetsByResource(before, converged),
      resyncFailures: resync.failures(),
      memoryMiB: { operator: operatorMemory.stop(), ...(helpers ? { helpers: helperMiB } : {}) },
      cpuSeconds: cpuUsed,
      cpuToDeployments,
      progress,
    };
  });
  if (!result) throw new Error(`the ${workload.name} run ended without a result`);
  return result;
}

const byVerb = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([verb, n]) => `${verb} ${n}`)
    .join(', ') || '0';

const figures = (m: MemoryFigures) => `${m.idle}/${m.peak}/${m.afterQuiet}`;

/** The round a result ran in, as its label says it when there are several. */
const roundOf = (index: number) => (rounds > 1 ? ` (round ${Math.floor(index / runs.length) + 1})` : '');

function rowOf(result: Result, index: number): Row {
  const seconds = (value: number | null) => (value === null ? 'not reached' : value);
  const memory = result.memoryMiB;
  return {
    system: `${result.system}, ${result.count} ${result.workload}${roundOf(index)}`,
    'Deployments exist (s)': seconds(result.seconds.deploymentsExist),
    'all Available (s)': seconds(result.seconds.allAvailable),
    'objects Running/Ready (s)': seconds(result.seconds.allReady),
    'writes by the operator': `${result.operator.writesTotal} (${byVerb(result.operator.writes)}; Events ${result.operator.eventWrites})`,
    'reads (get+list)': `${result.operator.readsNet} (${byVerb(result.operator.reads)})`,
    'Events written': result.operator.eventWrites,
    'idle writes / min': result.idle.writesPerMinute,
    'CPU s': result.cpuSeconds
      ? [
          `operator ${result.cpuSeconds.operator}`,
          ...(result.cpuSeconds.helpers !== undefined ? [`adapters ${result.cpuSeconds.helpers}`] : []),
        ].join(' + ')
      : '—',
    'memory MiB idle/peak/after': [
      `operator ${figures(memory.operator)}`,
      ...(memory.helpers ? [`adapters ${figures(memory.helpers)}`] : []),
    ].join(' + '),
  };
}

const runs: { system: System; workload: Workload }[] = [];
if (values.operator) {
  if (!values.crds || !values.sample)
    throw new Error(
      '--operator needs --crds (the folder of its CRDs) and --sample (a YAML object with {{name}})',
    );
  runs.push(
    peerOperator({
      binary: values.operator,
      args: values['operator-arg'],
      crdDir: values.crds,
      sampleFile: values.sample,
      count: positive('count'),
      label: values.label,
    }),
  );
} else {
  const workloads = values.workloads.split(',');
  for (const name of workloads) {
    if (name === 'servers')
      runs.push({ system: ourFunctions(), workload: serversWorkload(positive('servers')) });
    else if (name === 'gateways')
      runs.push({ system: ourFunctions(), workload: gatewaysWorkload(positive('gateways')) });
    else if (name === 'floor')
      runs.push({ system: floorClient(), workload: floorWorkload(positive('servers')) });
    else throw new Error(`--workloads ${name}: the workloads are servers, gateways and floor`);
  }
}

const results: Result[] = [];
for (let round = 0; round < rounds; round += 1)
  for (const run of runs) results.push(await measure(run.system, run.workload));
const medians = medianRuns(results);
const servers = medians.find((r) => r.system === 'ours' && r.workload === 'servers');
const floor = medians.find((r) => r.system === 'floor');
/** Servers Running against the floor's Deployments Available, both from the first create. */
const runningOverFloor =
  servers?.seconds.allReady && floor?.seconds.allAvailable
    ? Number((servers.seconds.allReady / floor.seconds.allAvailable).toFixed(3))
    : null;
const label = values.operator ? values.label : 'ours';
const targets = values.operator ? [] : targetVerdicts(medians, fastestPeer);
/** Every round's figure for each target, so that a round missing one is seen beside the median's verdict. */
const everyRound = (target: string) =>
  roundsOf(results, runs.length)
    .map((round) => targetVerdicts(round, fastestPeer).find((v) => v.target === target)?.measured ?? '—')
    .join(', ');
const verdictRows = targets.map((v) => ({
  ...v,
  ...(rounds > 1 ? { 'every round': everyRound(v.target) } : {}),
}));
await report(`h2h-${label}`, results.map(rowOf), {
  concurrency,
  phaseTimeoutSeconds: phaseTimeoutMs / 1000,
  quietSeconds,
  method:
    'Operator requests are counted by the API server: FlowSchemas matching only its ServiceAccounts, one per verb ' +
    '(Events first), read from apiserver_flowcontrol_dispatched_requests_total; seconds from the first create.',
  rounds,
  results,
  medianRuns: medians.map((median) => results.indexOf(median)),
  runningOverFloor,
  targets: verdictRows,
  totals: results.map((r) => ({
    run: `${r.system} ${r.workload}`,
    allRequests: total(r.apiserverRequestsByVerb),
  })),
});
for (const [index, result] of results.entries()) {
  const parts = Object.entries(result.cpuToDeployments ?? {}).map(([part, seconds]) => `${part} ${seconds}`);
  if (parts.length > 0)
    console.log(
      `${result.system} ${result.workload}${roundOf(index)}, CPU s until every Deployment existed: ${parts.join(', ')}`,
    );
}
if (rounds > 1) for (const line of spreads(results)) console.log(line);
if (verdictRows.length > 0)
  console.table(
    verdictRows.map((v) => ({ ...v, met: v.met === null ? 'not measured' : v.met ? 'yes' : 'NO' })),
  );
