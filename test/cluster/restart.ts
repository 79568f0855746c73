/**
 * Restarting one process of the control plane in place, with the same binary, arguments and ports (read from
 * /proc before it stops), as a fault scenario restarts the API server or etcd under running functions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlPlaneState } from './control-plane.ts';
import { TestBedError } from './errors.ts';
import { isOurProcess, ManagedProcess, stopProcesses } from './processes.ts';

/** Stops the named process, waits `downMs`, starts it again; the caller waits for it to be ready. */
export async function restartProcess(
  state: ControlPlaneState,
  name: string,
  options: { downMs?: number; signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<ManagedProcess> {
  const index = state.processes.findIndex((p) => p.name === name);
  const record = state.processes[index];
  if (!record || !isOurProcess(record))
    throw new TestBedError(`no running ${name} in this control plane`, {
      fix: 'start the control plane first',
    });
  const args = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
  if (options.signal === 'SIGKILL') process.kill(record.pid, 'SIGKILL');
  await stopProcesses([record]);
  if (options.downMs) await sleep(options.downMs);
  const next = ManagedProcess.start({ name, binary: record.binary, args, logDir: path.dirname(record.log) });
  state.processes[index] = next.record;
  return next;
}
