/** The local cluster started by `make cluster-up`, remembered between commands in the cache folder. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ControlPlaneState } from './control-plane.ts';
import type { RealNodeState } from './node/real-node.ts';
import type { ProcessRecord } from './processes.ts';

/** The control plane and, with REAL_NODE=1, the real node beside it. */
export interface BedState extends ControlPlaneState {
  realNode?: RealNodeState;
}

export const stateDir = path.join(
  process.env.MCPG_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mcpg-functions'),
  'cluster',
);
export const stateFile = path.join(stateDir, 'state.json');

export function readState(): BedState | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8')) as BedState;
}

export function writeState(state: BedState): void {
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

/** Adds processes started beside the cluster (the demo's functions), so `make cluster-down` stops them too. */
export function recordProcesses(records: ProcessRecord[]): void {
  const state = readState();
  if (!state) throw new Error('no local cluster is recorded');
  writeState({ ...state, processes: [...state.processes, ...records] });
}
