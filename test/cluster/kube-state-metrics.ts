/**
 * kube-state-metrics as a local process serving only custom resource state metrics, on loopback: the same
 * program a cluster runs, given the chart's configuration file and a kubeconfig of the identity it runs as.
 */
import { mkdir } from 'node:fs/promises';
import { freePort } from './ports.ts';
import { ManagedProcess, stopProcesses } from './processes.ts';
import { toolPath } from './tools.ts';
import { waitFor } from './wait.ts';

export interface KubeStateMetrics {
  process: ManagedProcess;
  /** Where it serves the custom resources' series. */
  metricsUrl: string;
  stop: () => Promise<void>;
}

export async function startKubeStateMetrics(options: {
  kubeconfig: string;
  configFile: string;
  logDir: string;
}): Promise<KubeStateMetrics> {
  await mkdir(options.logDir, { recursive: true });
  const [port, telemetryPort] = [await freePort(), await freePort()];
  const process = ManagedProcess.start({
    name: 'kube-state-metrics',
    binary: toolPath('kube-state-metrics'),
    args: [
      `--kubeconfig=${options.kubeconfig}`,
      '--custom-resource-state-only',
      `--custom-resource-state-config-file=${options.configFile}`,
      '--host=127.0.0.1',
      `--port=${port}`,
      '--telemetry-host=127.0.0.1',
      `--telemetry-port=${telemetryPort}`,
    ],
    logDir: options.logDir,
  });
  const stop = () => stopProcesses([process.record]);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => ((await fetch(`${base}/livez`)).ok ? true : undefined), {
      what: 'kube-state-metrics /livez',
      timeoutMs: 30_000,
      watch: [process],
      log: process.record.log,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { process, metricsUrl: `${base}/metrics`, stop };
}

/** One sample of the text exposition format: name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the samples of a /metrics body (kube-state-metrics writes no timestamps and no escaped quotes in ours). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const [, name = '', body = '', value = ''] = match;
    const labels: Record<string, string> = {};
    for (const [, key = '', labelValue = ''] of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g))
      labels[key] = labelValue;
    samples.push({ name, labels, value: Number(value) });
  }
  return samples;
}
