/**
 * The fault scenarios. Each runs in a namespace of its own with the server function (its own process on a fixed
 * loopback port, so a restarted one is where the adapter sends) fed by Knative's real ApiServerSource adapter,
 * breaks something mid-burst, and ends with the fleet checks (fleet.ts): converged, nothing duplicated or
 * orphaned, the time it took and the API writes the function spent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { wiring } from '@mcpg-functions/server/wiring';
import { adapterResources, startAdapter, stopAdapter } from '../cluster/adapter.ts';
import type { ControlPlaneState } from '../cluster/control-plane.ts';
import { freePort } from '../cluster/ports.ts';
import type { ManagedProcess } from '../cluster/processes.ts';
import { restartProcess } from '../cluster/restart.ts';
import { waitFor } from '../cluster/wait.ts';
import type { ScriptBed } from '../cluster/script.ts';
import { EventFanout } from '../integration/support/event-fanout.ts';
import { startFunction, type RunningFunction } from '../integration/support/function-process.ts';
import { Fleet } from './fleet.ts';
import { ThrottlingProxy } from './throttling-proxy.ts';

export interface Outcome extends Record<string, string | number> {
  scenario: string;
  converged: 'yes' | 'no';
  seconds: number;
  writes: number;
  problems: string;
}

export interface Stage {
  bed: ScriptBed;
  fleet: Fleet;
  /**
   * Starts (or restarts) the function on the scenario's port, or with `elsewhere` on a port of its own; with
   * `kubeconfig`, talking to the API server through it.
   */
  start: (options?: { elsewhere?: boolean; kubeconfig?: string }) => Promise<RunningFunction>;
  /** Starts another function of the scenario on a port of its own; its writes count too. */
  startOther: (name: string, env: Record<string, string>) => Promise<RunningFunction>;
  /** Writes made by every function process of the scenario so far. */
  writes: () => Promise<number>;
  /** Starts the adapter sending to the scenario's port (or to `sink`). */
  adapter: (sink?: string) => Promise<ManagedProcess>;
}

const SERVERS = 20;
const names = (prefix: string, count = SERVERS) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** Runs one scenario in its own namespace, stopping whatever it started. */
export async function stage(
  bed: ScriptBed,
  scenario: string,
  run: (stage: Stage) => Promise<{ seconds: number; problems: string[] }>,
): Promise<Outcome> {
  const namespace = `fault-${scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '')}`;
  await bed.createNamespace(namespace);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started: RunningFunction[] = [];
  const counted = new Map<RunningFunction, number>();
  const adapters: ManagedProcess[] = [];
  const fn = { kubeconfig: bed.cluster.kubeconfig, logDir: bed.workDir, env: { LOG_LEVEL: 'warn' } };
  const record = async (f: RunningFunction) => {
    counted.set(
      f,
      await f.metric('mcpg_kube_api_requests', { verb: 'write' }).catch(() => counted.get(f) ?? 0),
    );
  };
  const stage: Stage = {
    bed,
    fleet: new Fleet(bed.kube, namespace),
    start: async (options = {}) => {
      const how = { ...fn, ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}) };
      const running = await startFunction('server', options.elsewhere ? how : { ...how, port });
      started.push(running);
      return running;
    },
    startOther: async (name, env) => {
      const running = await startFunction(name, { ...fn, env: { ...fn.env, ...env } });
      started.push(running);
      return running;
    },
    writes: async () => {
      for (const f of started) if (!f.process.exited) await record(f);
      return [...counted.values()].reduce((a, b) => a + b, 0);
    },
    adapter: async (sink = `${url}/`) => {
      const adapter = await startAdapter({
        name: namespace,
        kubeconfig: bed.cluster.kubeconfig,
        sink,
        namespaces: [namespace],
        resources: adapterResources(wiring.watches),
        logDir: bed.workDir,
      });
      adapters.push(adapter);
      await sleep(3_000); // its watches start
      return adapter;
    },
  };
  try {
    const result = await run(stage);
    return {
      scenario,
      converged: result.problems.length === 0 ? 'yes' : 'no',
      seconds: result.seconds,
      writes: await stage.writes(),
      problems: result.problems.slice(0, 3).join('; '),
    };
  } finally {
    for (const adapter of adapters) await stopAdapter(adapter);
    for (const f of started) await f.stop();
  }
}

/** The function killed with SIGKILL mid-burst, the fleet changed while it is down, then started again. */
export const killedMidPass = (stage: Stage) => async () => {
  const { fleet } = stage;
  let fn = await stage.start();
  await stage.adapter();
  const burst = fleet.apply(names('k'), 1);
  await waitFor(async () => ((await fn.metric('mcpg_reconcile_total')) > 0 ? true : undefined), {
    what: 'the first pass',
    timeoutMs: 30_000,
    intervalMs: 20,
  });
  await stage.writes();
  process.kill(fn.process.record.pid, 'SIGKILL');
  await burst;
  await fleet.apply(names('k'), 2);
  fn = await stage.start();
  return fleet.converge({ timeoutMs: 120_000, resync: () => fn.ping() });
};

/** The event adapter stopped for 60 s while servers change, are added and removed: only the resync heals. */
export const adapterDown = (stage: Stage) => async () => {
  const { fleet } = stage;
  const fn = await stage.start();
  const adapter = await stage.adapter();
  await fleet.apply(names('a'), 1);
  await fleet.converge({ timeoutMs: 120_000 });
  await stopAdapter(adapter);
  await fleet.apply(names('a').slice(0, 10), 3);
  await fleet.remove(names('a').slice(10, 15));
  await fleet.apply(names('a-new', 5), 1);
  await sleep(60_000);
  await stage.adapter();
  return fleet.converge({ timeoutMs: 120_000, resync: () => fn.ping() });
};

/** The API server restarted in the middle of a burst of changes. */
export const apiServerRestart = (stage: Stage, cluster: ControlPlaneState) => async () => {
  const { fleet } = stage;
  const fn = await stage.start();
  await stage.adapter();
  await fleet.apply(names('r'), 1);
  const burst = fleet.apply(names('r'), 2).catch(() => undefined);
  await restartProcess(cluster, 'kube-apiserver', { downMs: 2_000 });
  await burst;
  await apiServerReady(stage);
  // Changes the restart may have swallowed are made again, as a user would.
  await fleet.apply(names('r'), 2);
  return fleet.converge({ timeoutMs: 180_000, resync: () => fn.ping() });
};

/** etcd restarted under a running API server and function. */
export const etcdRestart = (stage: Stage, cluster: ControlPlaneState) => async () => {
  const { fleet } = stage;
  const fn = await stage.start();
  await stage.adapter();
  await fleet.apply(names('e'), 1);
  await restartProcess(cluster, 'etcd', { downMs: 3_000 });
  await apiServerReady(stage);
  await fleet.apply(names('e'), 3);
  return fleet.converge({ timeoutMs: 180_000, resync: () => fn.ping() });
};

/** Two replicas on one event stream (every event to both), a burst of changes. */
export const twoReplicas = (stage: Stage) => async () => {
  const { fleet } = stage;
  const replicas = [await stage.start({ elsewhere: true }), await stage.start({ elsewhere: true })];
  const fanout = new EventFanout(replicas.map((r) => `${r.url}/`));
  try {
    await stage.adapter(await fanout.listen());
    for (let count = 1; count <= 4; count += 1) await fleet.apply(names('t'), count);
    return await fleet.converge({
      timeoutMs: 120_000,
      resync: () => Promise.all(replicas.map((r) => r.ping())),
    });
  } finally {
    await fanout.close();
  }
};

/** A 30 s storm of 429 (Retry-After: 1) from a proxy in front of the API server while servers change. */
export const throttled = (stage: Stage, cluster: ControlPlaneState) => async () => {
  const { fleet } = stage;
  const proxy = new ThrottlingProxy(cluster);
  try {
    const fn = await stage.start({ kubeconfig: await proxy.start(stage.bed.workDir) });
    await stage.adapter();
    await fleet.apply(names('q'), 1);
    await fleet.converge({ timeoutMs: 120_000 });
    proxy.storm(30_000);
    await fleet.apply(names('q'), 2);
    await sleep(30_000);
    const result = await fleet.converge({ timeoutMs: 180_000, resync: () => fn.ping() });
    console.error(`[faults] the proxy refused ${proxy.refused} requests with 429`);
    return result;
  } finally {
    await proxy.stop();
  }
};

async function apiServerReady(stage: Stage): Promise<void> {
  await waitFor(
    async () =>
      (await stage.fleet.problems().then(
        () => true,
        () => false,
      ))
        ? true
        : undefined,
    {
      what: 'the API server to answer again',
      timeoutMs: 120_000,
      intervalMs: 500,
    },
  );
}
