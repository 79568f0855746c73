import type { TestProject } from 'vitest/node';
import { startControlPlane, stopControlPlane, type ControlPlaneState } from '../../cluster/control-plane.ts';
import { TestBedError } from '../../cluster/errors.ts';
import { diffSnapshots, snapshotHost } from '../../cluster/node/host.ts';
import { startRealNode, stopRealNode, type RealNodeState } from '../../cluster/node/real-node.ts';
import { toolsBinDir } from '../../cluster/tools.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterRunDir: string;
    nodeName: string;
    registryHost: string;
  }
}

const say = (line: string) => {
  console.error(`[real node] ${line}`);
};

/**
 * One control plane with a real node for the whole run. The machine is recorded before and compared after the
 * node is undone: a difference fails the run, naming what was left behind.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = toolsBinDir();
  const before = await snapshotHost(binDir);
  let cluster: ControlPlaneState | undefined;
  let node: RealNodeState | undefined;
  const teardown = async () => {
    if (node) await stopRealNode(node);
    if (cluster) await stopControlPlane(cluster, process.env.MCPG_KEEP_RUN_DIR === '1');
    const left = diffSnapshots(before, await snapshotHost(binDir));
    if (left.length > 0) {
      throw new TestBedError(`the machine differs after the real node was undone:\n  ${left.join('\n  ')}`, {
        fix: 'see what stop.ts missed; make cluster-down undoes the same steps',
      });
    }
  };
  try {
    cluster = await startControlPlane({ onProgress: say });
    node = await startRealNode(cluster, { onProgress: say });
  } catch (error) {
    if (error instanceof TestBedError) console.error(error.describe());
    await teardown().catch((cleanup: unknown) => {
      console.error(cleanup instanceof TestBedError ? cleanup.describe() : cleanup);
    });
    throw error;
  }
  project.provide('kubeconfig', cluster.kubeconfig);
  project.provide('clusterRunDir', cluster.runDir);
  project.provide('nodeName', node.nodeName);
  project.provide('registryHost', node.registry?.host ?? '');
  return teardown;
}
