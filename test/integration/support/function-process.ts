import path from 'node:path';
import { freePort } from '../../cluster/ports.ts';
import { ManagedProcess, stopProcesses } from '../../cluster/processes.ts';
import { REPO_ROOT } from '../../cluster/tools.ts';
import { sendPing } from '../../cluster/ping.ts';
import { waitFor } from '../../cluster/wait.ts';

export interface RunningFunction {
  url: string;
  process: ManagedProcess;
  /** Sends a PingSource-style resync event; resolves with the HTTP status. */
  ping: () => Promise<number>;
  /** Reads one metric's value from /metrics (summing label sets that match). */
  metric: (name: string, labels?: Record<string, string>) => Promise<number>;
  stop: () => Promise<void>;
}

/** One metric's value from a function's /metrics, summing the label sets that match `labels`. */
export async function readMetric(
  url: string,
  metric: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Runs a function (functions/<name>/src/index.ts, or a bundle's `entry`) as its own process on a loopback port. */
export async function startFunction(
  name: string,
  options: {
    kubeconfig: string;
    logDir: string;
    env?: Record<string, string>;
    entry?: string;
    port?: number;
  },
): Promise<RunningFunction> {
  const port = options.port ?? (await freePort());
  const fn = ManagedProcess.start({
    name: `function-${name}-${port}`,
    binary: process.execPath,
    args: [options.entry ?? path.join(REPO_ROOT, `functions/${name}/src/index.ts`)],
    logDir: options.logDir,
    env: { KUBECONFIG: options.kubeconfig, HOST: '127.0.0.1', PORT: String(port), ...options.env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetch(`${url}/health/readiness`)).ok ? true : undefined), {
    what: `the ${name} function to listen`,
    timeoutMs: 20_000,
    watch: [fn],
    log: fn.record.log,
  });
  return {
    url,
    process: fn,
    ping: async () => (await sendPing(url)).status,
    metric: (metric, labels) => readMetric(url, metric, labels),
    stop: () => stopProcesses([fn.record]),
  };
}
