import type { TestProject } from 'vitest/node';
import { startControlPlane, stopControlPlane } from '../../cluster/control-plane.ts';
import { TestBedError } from '../../cluster/errors.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterRunDir: string;
  }
}

/** Starts the real control plane once per run and stops it (leaving no process) when the run ends. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const state = await startControlPlane({
    onProgress: (line) => {
      console.error(`[cluster] ${line}`);
    },
  }).catch((error: unknown) => {
    if (error instanceof TestBedError) console.error(error.describe());
    throw error;
  });
  project.provide('kubeconfig', state.kubeconfig);
  project.provide('clusterRunDir', state.runDir);
  return async () => {
    // MCPG_KEEP_RUN_DIR=1 keeps the control plane's logs for reading; by default nothing is left behind.
    await stopControlPlane(state, process.env.MCPG_KEEP_RUN_DIR === '1');
  };
}
