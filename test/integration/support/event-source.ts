import path from 'node:path';
import { inject, vi } from 'vitest';
import {
  eventSources,
  WATCHED_SOURCES_ENV,
  watchedSourcesValue,
  type EventSource,
  type FunctionWiring,
  type SourceAccount,
  type WatchedType,
} from '@mcpg-functions/shared/knative';
import { resourceOf } from '@mcpg-functions/shared/kube';
import { sourceAdapter, startAdapter, stopAdapter } from '../../cluster/adapter.ts';
import type { ManagedProcess } from '../../cluster/processes.ts';
import type { Clients } from './cluster.ts';
import { EventFanout } from './event-fanout.ts';
import { startFunction, type RunningFunction } from './function-process.ts';
import { accountsWith, grantWatchedSources } from './service-accounts.ts';

export interface FunctionUnderTest {
  /** The function (the first replica when there are several). */
  fn: RunningFunction;
  /** Every replica; one unless `replicas` asked for more. */
  replicas: RunningFunction[];
  stop: () => Promise<void>;
}

export interface EventSourceOptions {
  name: string;
  clients: Clients;
  namespace: string;
  /** What the function declares it watches (the same list its ApiServerSource gets in a cluster). */
  wiring: FunctionWiring;
  /**
   * Cluster-scoped kinds the wiring watches are watched cluster-wide by a second adapter, narrowed to objects
   * carrying these labels so that other test files' objects stay out (default: every object).
   */
  clusterScopedLabels?: Record<string, string>;
  /** Watch every namespace with one adapter (cross-namespace references); the options below then do not apply. */
  allNamespaces?: boolean;
  /** More namespaces whose objects the namespaced watches cover (a tenant spans several). */
  moreNamespaces?: string[];
  env?: Record<string, string>;
  /** For a function that binds watched sources (the tenant function): those it may bind, as its wiring grants. */
  watchedSources?: SourceAccount[];
  /** Replicas of the function sharing the adapter's one event stream (each event goes to every replica). */
  replicas?: number;
  probe: {
    create: (name: string) => Promise<unknown>;
    reconciled: (name: string) => Promise<boolean>;
    remove: (name: string) => Promise<unknown>;
  };
}

type Stops = (() => Promise<void>)[];

/**
 * The function and its adapters run as their own ServiceAccounts, with exactly the RBAC their generated
 * manifests grant, so a read or write the wiring does not declare fails the test as it would in a cluster.
 */
async function credentials(options: EventSourceOptions, runDir: string, stops: Stops) {
  const accounts = await accountsWith(options.clients, options.wiring, {
    namespace: options.namespace,
    dir: runDir,
    watchedSources: options.watchedSources ?? [],
  });
  stops.push(() => accounts.remove());
  await grantWatchedSources(options.clients, options.wiring, options.namespace, testNamespaces(options));
  return accounts;
}

/**
 * The test's namespaces. A watched source reads only where a tenant would bind it: here, even with allNamespaces.
 */
function testNamespaces(options: EventSourceOptions): string[] {
  return [options.namespace, ...(options.moreNamespaces ?? [])];
}

/**
 * For each of the function's ApiServerSources (its mode, its ServiceAccount), one adapter for the namespaced
 * watches and, unless it watches everywhere, one for cluster-scoped kinds.
 */
async function startAdapters(
  options: EventSourceOptions,
  target: { sink: string; kubeconfigs: Map<string, string>; logDir: string },
  stops: Stops,
): Promise<ManagedProcess[]> {
  const adapters: ManagedProcess[] = [];
  for (const source of eventSources(options.wiring)) {
    const kubeconfig = target.kubeconfigs.get(source.name);
    if (!kubeconfig) throw new Error(`no ServiceAccount for the source ${source.name}`);
    adapters.push(...(await startSourceAdapters(options, source, { ...target, kubeconfig }, stops)));
  }
  return adapters;
}

async function startSourceAdapters(
  options: EventSourceOptions,
  source: EventSource,
  target: { sink: string; kubeconfig: string; logDir: string },
  stops: Stops,
): Promise<ManagedProcess[]> {
  const everywhere = (options.allNamespaces ?? false) && source.scope === 'cluster';
  // A source of the function's own namespace watches only it, as Knative runs a source without a selector.
  const own = source.scope === 'own';
  const clusterScoped = (w: WatchedType) =>
    !everywhere && resourceOf(w.apiVersion, w.kind)?.namespaced === false;
  const common = { kubeconfig: target.kubeconfig, sink: target.sink, logDir: target.logDir };
  const name = `${source.name.replace(/^mcpg-/, '')}-${options.namespace}`;
  const namespaced = source.watches.filter((w) => !clusterScoped(w));
  const adapters: ManagedProcess[] = [];
  if (namespaced.length > 0) {
    const adapter = await startAdapter({
      ...common,
      ...sourceAdapter({ ...source, watches: namespaced }),
      name,
      namespaces: everywhere ? [] : own ? [options.namespace] : testNamespaces(options),
      allNamespaces: everywhere,
    });
    stops.push(() => stopAdapter(adapter));
    adapters.push(adapter);
  }
  // A cluster-wide adapter already sees cluster-scoped objects (clusterScoped is false for every watch then).
  const clusterWatches = source.watches
    .filter(clusterScoped)
    .map((w) => ({ ...w, matchLabels: { ...w.matchLabels, ...options.clusterScopedLabels } }));
  if (clusterWatches.length === 0) return adapters;
  const clusterAdapter = await startAdapter({
    ...common,
    ...sourceAdapter({ ...source, watches: clusterWatches }),
    name: `${name}-cluster`,
    allNamespaces: true,
  });
  stops.push(() => stopAdapter(clusterAdapter));
  return [...adapters, clusterAdapter];
}

function watchedSourcesEnv(options: EventSourceOptions): Record<string, string> {
  if (!options.watchedSources) return {};
  return { [WATCHED_SOURCES_ENV]: watchedSourcesValue(options.watchedSources) };
}

/** The one replica's URL, or a fan-out in front of several. */
async function sinkFor(replicas: RunningFunction[], stops: Stops): Promise<string> {
  if (replicas.length === 1) return `${(replicas[0] as RunningFunction).url}/`;
  const fanout = new EventFanout(replicas.map((r) => `${r.url}/`));
  stops.push(() => fanout.close());
  return fanout.listen();
}

/** Creates probe objects until one is reconciled (the adapters deliver), then removes them. */
async function awaitDelivery(adapters: ManagedProcess[], probe: EventSourceOptions['probe']): Promise<void> {
  const probes: string[] = [];
  await vi.waitFor(
    async () => {
      for (const adapter of adapters) adapter.assertRunning();
      const name = `probe-${probes.length + 1}`;
      probes.push(name);
      await probe.create(name);
      const seen = await Promise.all(probes.map((p) => probe.reconciled(p)));
      if (!seen.some(Boolean)) throw new Error('the event source has not delivered yet');
    },
    { timeout: 60_000, interval: 500 },
  );
  await Promise.all(probes.map((p) => probe.remove(p)));
}

/**
 * Starts a function as its own process and Knative's ApiServerSource adapter pointed at it, watching the given
 * resources in one namespace. The adapter sends nothing for objects that exist before its watches start, so
 * this creates probe objects until one is reconciled, then removes them.
 */
export async function startWithEventSource(options: EventSourceOptions): Promise<FunctionUnderTest> {
  const runDir = inject('clusterRunDir');
  const logDir = path.join(runDir, 'logs');
  // Whatever started is stopped again if a later step fails, so a failed setup leaves nothing behind.
  const stops: Stops = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const kubeconfigs = await credentials(options, runDir, stops);
    const replicas: RunningFunction[] = [];
    for (let i = 0; i < (options.replicas ?? 1); i += 1) {
      const replica = await startFunction(options.name, {
        kubeconfig: kubeconfigs.function,
        logDir,
        env: { ...options.env, ...watchedSourcesEnv(options) },
      });
      stops.push(() => replica.stop());
      replicas.push(replica);
    }
    const sink = await sinkFor(replicas, stops);
    const adapters = await startAdapters(options, { sink, kubeconfigs: kubeconfigs.sources, logDir }, stops);
    await awaitDelivery(adapters, options.probe);
    return { fn: replicas[0] as RunningFunction, replicas, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
