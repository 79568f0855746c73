/** The local cluster started by `make cluster-up`, remembered between commands in the cache folder. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ControlPlaneState } from './control-plane.ts';
import type { ProcessRecord } from './processes.ts';

export const stateDir = path.join(
  process.env.MCPG_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mcpg-functions'),
  'cluster',
);
export const stateFile = path.join(stateDir, 'state.json');

export function readState(): ControlPlaneState | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8')) as ControlPlaneState;
}

export function writeState(state: ControlPlaneState): void {
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

/** Adds processes started beside the cluster (the demo's functions), so `make cluster-down` stops them too. */
export function recordProcesses(records: ProcessRecord[]): void {
  const state = readState();
  if (!state) throw new Error('no local cluster is recorded');
  writeState({ ...state, processes: [...state.processes, ...records] });
}
