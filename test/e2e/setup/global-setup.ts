import type { TestProject } from 'vitest/node';
import { startControlPlane, stopControlPlane, type ControlPlaneState } from '../../cluster/control-plane.ts';
import { TestBedError } from '../../cluster/errors.ts';
import { diffSnapshots, snapshotHost } from '../../cluster/node/host.ts';
import { startRealNode, stopRealNode, type RealNodeState } from '../../cluster/node/real-node.ts';
import { runningBed, stackBed, type StackBed } from '../../knative/bed.ts';
import { STACK_PARTS } from '../../knative/parts.ts';
import { toolsBinDir } from '../../cluster/tools.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    registryHost: string;
  }
}

const say = (line: string) => {
  console.error(`[knative] ${line}`);
};

/**
 * The Knative stack on a real node for the whole run. With MCPG_E2E_BED=running the suite uses the bed that
 * `make cluster-up REAL_NODE=1` (or `make knative-up`) started and leaves it running; otherwise it starts its own
 * and undoes it at the end. Every part's install is idempotent, so a running bed is brought up to date first.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  let bed: StackBed;
  let teardown: (() => Promise<void>) | undefined;
  if (process.env.MCPG_E2E_BED === 'running') {
    bed = runningBed(say);
  } else {
    let cluster: ControlPlaneState | undefined;
    let node: RealNodeState | undefined;
    // The stack adds Services, pods and iptables rules of its own: the machine is compared as the real-node tier
    // does, so whatever the undo misses fails the run by name.
    const binDir = toolsBinDir();
    const before = await snapshotHost(binDir);
    teardown = async () => {
      if (node) await stopRealNode(node);
      if (cluster) await stopControlPlane(cluster, process.env.MCPG_KEEP_RUN_DIR === '1');
      const left = diffSnapshots(before, await snapshotHost(binDir));
      if (left.length > 0) {
        throw new TestBedError(
          `the machine differs after the Knative bed was undone:\n  ${left.join('\n  ')}`,
          {
            fix: 'see what test/cluster/node/stop.ts missed; make cluster-down undoes the same steps',
          },
        );
      }
    };
    try {
      cluster = await startControlPlane({ onProgress: say });
      node = await startRealNode(cluster, { onProgress: say });
    } catch (error) {
      await teardown().catch((cleanup: unknown) => {
        console.error(cleanup instanceof TestBedError ? cleanup.describe() : cleanup);
      });
      throw error;
    }
    bed = stackBed({ kubeconfig: cluster.kubeconfig, registry: node.registry?.host ?? '', say });
  }
  try {
    for (const part of STACK_PARTS) {
      say(`${part.name}: installing`);
      await part.install(bed);
    }
  } catch (error) {
    if (error instanceof TestBedError) console.error(error.describe());
    await teardown?.();
    throw error;
  }
  project.provide('kubeconfig', bed.kubeconfig);
  project.provide('registryHost', bed.push.registry);
  return teardown;
}
