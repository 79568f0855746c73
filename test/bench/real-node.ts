/**
 * The real node's cost: how long a pod takes from creation to Running and Ready (the first one pulls its image,
 * the others find it), and the resident memory of the node's processes with the pods running.
 *
 *   node test/bench/real-node.ts [pods, default 6]      (needs root, like make cluster-up REAL_NODE=1)
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { startControlPlane, stopControlPlane } from '../cluster/control-plane.ts';
import { nodeProcesses } from '../cluster/node/host.ts';
import { startRealNode, stopRealNode } from '../cluster/node/real-node.ts';
import { residentMiB } from '../cluster/processes.ts';
import { waitFor } from '../cluster/wait.ts';
import { pushProbeImage } from '../real-node/probe-image.ts';
import { median, report, type Row } from './report.ts';

const pods = Number(process.argv[2] ?? 6);
const say = (line: string) => {
  console.error(`[bench] ${line}`);
};

const cluster = await startControlPlane({ onProgress: say });
try {
  const node = await startRealNode(cluster, { onProgress: say });
  try {
    const core = loadKubeConfig(cluster.kubeconfig).makeApiClient(CoreV1Api);
    const image = await pushProbeImage(node.registry?.host ?? '');
    const latencies: number[] = [];
    for (let index = 0; index < pods; index += 1) {
      const name = `probe-${index}`;
      const started = performance.now();
      await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name },
          spec: {
            nodeName: node.nodeName,
            containers: [{ name: 'probe', image }],
            terminationGracePeriodSeconds: 1,
          },
        },
      });
      await waitFor(
        async () => {
          const pod = await core.readNamespacedPod({ name, namespace: 'default' });
          return pod.status?.containerStatuses?.every((c) => c.ready) && pod.status.phase === 'Running'
            ? true
            : undefined;
        },
        { what: `pod ${name} to run`, timeoutMs: 120_000, intervalMs: 50 },
      );
      latencies.push(performance.now() - started);
    }
    const memory = Object.fromEntries(
      nodeProcesses(node.binDir).map((entry) => {
        const [name = '', pid = '0'] = entry.split(' ');
        return [`${name} ${pid}`, Math.round(residentMiB(Number(pid)))];
      }),
    );
    const rows: Row[] = [
      { measure: 'first pod, image pulled (ms)', value: Math.round(latencies[0] ?? 0) },
      { measure: `next ${pods - 1} pods, median (ms)`, value: Math.round(median(latencies.slice(1))) },
      { measure: `next ${pods - 1} pods, max (ms)`, value: Math.round(Math.max(...latencies.slice(1))) },
      ...Object.entries(memory).map(([process, mib]) => ({ measure: `RSS ${process} (MiB)`, value: mib })),
    ];
    await report('real-node', rows, { pods, latenciesMs: latencies.map(Math.round) });
  } finally {
    await stopRealNode(node);
  }
} finally {
  await stopControlPlane(cluster);
}
