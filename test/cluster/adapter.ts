import { groupOf, knativeResource, type EventSource, type WatchedType } from '@mcpg-functions/shared/knative';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ManagedProcess, stopProcesses } from './processes.ts';
import { toolPath } from './tools.ts';

/** One resource the adapter watches, in the adapter's own configuration shape. */
export interface WatchedResource {
  group: string;
  version: string;
  resource: string;
  /** Label selector such as `app.kubernetes.io/managed-by=mcpg-functions`. */
  selector?: string;
}

export interface AdapterOptions {
  /** Name of the source (shows in the adapter's logs and metrics). */
  name: string;
  kubeconfig: string;
  /** Where CloudEvents are POSTed. */
  sink: string;
  resources: WatchedResource[];
  /** Namespaces to watch; empty with `allNamespaces` for a cluster-wide watch. */
  namespaces?: string[];
  allNamespaces?: boolean;
  mode?: 'Resource' | 'Reference';
  logDir: string;
}

/**
 * Runs Knative's ApiServerSource receive adapter as a local process: the same program the
 * ApiServerSource controller deploys in a cluster, configured the way that controller configures it.
 */
export async function startAdapter(options: AdapterOptions): Promise<ManagedProcess> {
  await mkdir(options.logDir, { recursive: true });
  const sourceConfig = {
    namespaces: options.namespaces ?? [],
    allNamespaces: options.allNamespaces ?? false,
    mode: options.mode ?? 'Resource',
    resources: options.resources.map((r) => ({
      gvr: { Group: r.group, Version: r.version, Resource: r.resource },
      ...(r.selector ? { selector: r.selector } : {}),
    })),
  };
  return ManagedProcess.start({
    name: `adapter-${options.name}`,
    binary: toolPath('apiserver_receive_adapter'),
    args: ['--disable-ha', `--kubeconfig=${options.kubeconfig}`],
    logDir: options.logDir,
    env: {
      NAME: options.name,
      NAMESPACE: options.namespaces?.[0] ?? 'default',
      K_SINK: options.sink,
      K_SOURCE_CONFIG: JSON.stringify(sourceConfig),
      K_LOGGING_CONFIG: '{}',
      K_OBSERVABILITY_CONFIG: '{}',
      // The profiling server only accepts a port (it listens on every interface); an unusable value keeps it
      // closed, so the adapter opens no listener at all.
      PROFILING_PORT: 'disabled',
    },
  });
}

export async function stopAdapter(adapter: ManagedProcess): Promise<void> {
  await stopProcesses([adapter.record]);
}

export function adapterLogDir(runDir: string): string {
  return path.join(runDir, 'logs');
}

/** The adapter's own configuration form of what a function declares it watches (as the ApiServerSource controller passes it). */
export function adapterResources(watches: readonly WatchedType[]): WatchedResource[] {
  return watches.map((watch) => {
    const selector = Object.entries(watch.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return {
      group: groupOf(watch.apiVersion),
      version: watch.apiVersion.split('/').pop() ?? watch.apiVersion,
      // As the ApiServerSource controller computes it, so a watch Knative cannot serve fails here too.
      resource: knativeResource(watch.kind),
      ...(selector ? { selector } : {}),
    };
  });
}

/** The adapter configuration of one of a function's ApiServerSources: its mode and what it watches. */
export function sourceAdapter(source: EventSource): Pick<AdapterOptions, 'mode' | 'resources'> {
  return { mode: source.mode, resources: adapterResources(source.watches) };
}
