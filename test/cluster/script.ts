/**
 * The frame every script (benchmark, fixture recorder) runs in: a fresh local control plane with the API
 * installed, helpers to start functions and Knative's adapter on it, and everything started stopped in reverse
 * order however the script ends.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { WatchedType } from '@mcpg-functions/shared/knative';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { installCrdsWith } from '../integration/support/crds.ts';
import { FUNCTION_PROCESS_ENV } from '../../hack/bundle.ts';
import { startFunction, type RunningFunction } from '../integration/support/function-process.ts';
import { adapterResources, startAdapter, stopAdapter } from './adapter.ts';
import { startControlPlane, stopControlPlane, type ControlPlaneState } from './control-plane.ts';

export interface ScriptBed {
  cluster: ControlPlaneState;
  kube: KubeConfig;
  /** A folder of the script's own in the run folder, for logs and bundles. */
  workDir: string;
  /** Runs `stop` when the script ends (last registered, first run). */
  defer: (stop: () => unknown) => void;
  createNamespace: (name: string) => Promise<void>;
  /** A function on a loopback port, from its source or a bundle's entry file (run as deployed), with quiet logs. */
  startFunction: (
    name: string,
    options?: { entry?: string; env?: Record<string, string> },
  ) => Promise<RunningFunction>;
  /** Knative's adapter watching `watches` in every namespace and sending to `sink` (Resource mode unless set). */
  startEventSource: (
    name: string,
    sink: string,
    watches: readonly WatchedType[],
    mode?: 'Resource' | 'Reference',
  ) => Promise<void>;
  /** Listens on a free loopback port; resolves with the server's URL. */
  listen: (server: http.Server) => Promise<string>;
}

export async function runOnControlPlane(
  name: string,
  script: (bed: ScriptBed) => Promise<void>,
): Promise<void> {
  const cluster = await startControlPlane({
    onProgress: (line) => {
      console.error(`[cluster] ${line}`);
    },
  });
  const stops: (() => unknown)[] = [() => stopControlPlane(cluster)];
  const defer = (stop: () => unknown) => {
    stops.unshift(stop);
  };
  try {
    const kube = loadKubeConfig(cluster.kubeconfig);
    await installCrdsWith(kube);
    const workDir = path.join(cluster.runDir, name);
    await mkdir(workDir, { recursive: true });
    await script({
      cluster,
      kube,
      workDir,
      defer,
      createNamespace: async (namespace) => {
        await kubeRequest(kube, {
          method: 'POST',
          path: '/api/v1/namespaces',
          body: { metadata: { name: namespace } },
        });
      },
      startFunction: async (fn, options = {}) => {
        const running = await startFunction(fn, {
          kubeconfig: cluster.kubeconfig,
          logDir: workDir,
          // A bundle runs as deployed: with the images' process settings.
          env: { LOG_LEVEL: 'warn', ...(options.entry ? FUNCTION_PROCESS_ENV : {}), ...options.env },
          ...(options.entry ? { entry: options.entry } : {}),
        });
        defer(() => running.stop());
        return running;
      },
      startEventSource: async (source, sink, watches, mode) => {
        const adapter = await startAdapter({
          name: source,
          kubeconfig: cluster.kubeconfig,
          sink,
          allNamespaces: true,
          resources: adapterResources(watches),
          ...(mode ? { mode } : {}),
          logDir: workDir,
        });
        defer(() => stopAdapter(adapter));
      },
      listen: async (server) => {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        defer(() => new Promise((resolve) => server.close(resolve)));
        return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      },
    });
  } finally {
    for (const stop of stops) await stop();
  }
}

/** Runs `work` over `items` with at most `concurrency` at once. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}
