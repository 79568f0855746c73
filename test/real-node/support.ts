/** Helpers for tests on the real node: the network probe image, kubectl, pods that must really run. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { inject, vi } from 'vitest';
import { pushProbeImage as pushTo } from './probe-image.ts';
import { toolPath } from '../cluster/tools.ts';

const run = promisify(execFile);

export { PROBE_PAGE } from './probe-image.ts';

/** Debian's static busybox as a test image (`httpd`, `nc`, `nslookup`), in the bed's registry; by digest. */
export function pushProbeImage(): Promise<string> {
  return pushTo(inject('registryHost'));
}

export function core(): CoreV1Api {
  return loadKubeConfig(inject('kubeconfig')).makeApiClient(CoreV1Api);
}

/** `kubectl` against the run's cluster; resolves with the exit code and output, never throws on a non-zero exit. */
export async function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      toolPath('kubectl'),
      ['--kubeconfig', inject('kubeconfig'), ...args],
      {
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

/** Runs a command in a pod's first container (through the API server, the kubelet and containerd). */
export function exec(namespace: string, pod: string, command: string[]) {
  return kubectl(['exec', '-n', namespace, pod, '--', ...command]);
}

/** Waits until the pod runs on the real node with all containers ready; returns it. */
export async function running(namespace: string, name: string, timeout = 90_000): Promise<V1Pod> {
  return vi.waitFor(
    async () => {
      const pod = await core().readNamespacedPod({ name, namespace });
      if (pod.status?.phase !== 'Running' || !pod.status.containerStatuses?.every((c) => c.ready)) {
        throw new Error(`pod ${namespace}/${name} is ${pod.status?.phase ?? 'unknown'}`);
      }
      return pod;
    },
    { timeout, interval: 500 },
  );
}

export function probePod(
  name: string,
  image: string,
  command?: string[],
  labels: Record<string, string> = {},
) {
  return {
    metadata: { name, labels },
    spec: {
      nodeName: inject('nodeName'),
      containers: [
        {
          name: 'probe',
          image,
          ...(command ? { command } : {}),
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
      terminationGracePeriodSeconds: 1,
    },
  };
}
