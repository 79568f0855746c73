import path from 'node:path';
import { inject, vi } from 'vitest';
import type { FunctionWiring, WatchedType } from '@mcpg-functions/shared/knative';
import { resourceOf } from '@mcpg-functions/shared/kube';
import { adapterResources, startAdapter, stopAdapter } from '../../cluster/adapter.ts';
import type { Clients } from './cluster.ts';
import { startFunction, type RunningFunction } from './function-process.ts';

export interface FunctionUnderTest {
  fn: RunningFunction;
  stop: () => Promise<void>;
}

/**
 * Starts a function as its own process and Knative's ApiServerSource adapter pointed at it, watching the given
 * resources in one namespace. The adapter sends nothing for objects that exist before its watches start, so
 * this creates probe objects until one is reconciled, then removes them.
 */
export async function startWithEventSource(options: {
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
  probe: {
    create: (name: string) => Promise<unknown>;
    reconciled: (name: string) => Promise<boolean>;
    remove: (name: string) => Promise<unknown>;
  };
}): Promise<FunctionUnderTest> {
  const logDir = path.join(inject('clusterRunDir'), 'logs');
  const fn = await startFunction(options.name, {
    kubeconfig: options.clients.kubeconfigPath,
    logDir,
    ...(options.env ? { env: options.env } : {}),
  });
  // Whatever started is stopped again if a later step fails, so a failed setup leaves no process behind.
  const stops: (() => Promise<void>)[] = [() => fn.stop()];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const everywhere = options.allNamespaces ?? false;
    const clusterScoped = (w: WatchedType) =>
      !everywhere && resourceOf(w.apiVersion, w.kind)?.namespaced === false;
    const adapter = await startAdapter({
      name: `${options.name}-${options.namespace}`,
      kubeconfig: options.clients.kubeconfigPath,
      sink: `${fn.url}/`,
      namespaces: everywhere ? [] : [options.namespace, ...(options.moreNamespaces ?? [])],
      allNamespaces: everywhere,
      resources: adapterResources(options.wiring.watches.filter((w) => !clusterScoped(w))),
      logDir,
    });
    stops.push(() => stopAdapter(adapter));
    // A cluster-wide adapter already sees cluster-scoped objects (clusterScoped is false for every watch then).
    const clusterWatches = options.wiring.watches
      .filter(clusterScoped)
      .map((w) => ({ ...w, matchLabels: { ...w.matchLabels, ...options.clusterScopedLabels } }));
    const clusterAdapter =
      clusterWatches.length > 0
        ? await startAdapter({
            name: `${options.name}-${options.namespace}-cluster`,
            kubeconfig: options.clients.kubeconfigPath,
            sink: `${fn.url}/`,
            allNamespaces: true,
            resources: adapterResources(clusterWatches),
            logDir,
          })
        : undefined;
    if (clusterAdapter) stops.push(() => stopAdapter(clusterAdapter));
    const probes: string[] = [];
    await vi.waitFor(
      async () => {
        adapter.assertRunning();
        clusterAdapter?.assertRunning();
        const name = `probe-${probes.length + 1}`;
        probes.push(name);
        await options.probe.create(name);
        const seen = await Promise.all(probes.map((p) => options.probe.reconciled(p)));
        if (!seen.some(Boolean)) throw new Error('the event source has not delivered yet');
      },
      { timeout: 60_000, interval: 500 },
    );
    await Promise.all(probes.map((p) => options.probe.remove(p)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { fn, stop };
}
