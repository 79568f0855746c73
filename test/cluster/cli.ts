/**
 * `make cluster-up`, `make cluster-down` and `make cluster-status`: one local control plane per
 * machine user, remembered in a state file so that a second `up` refuses instead of corrupting it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startControlPlane, stopControlPlane, type ControlPlaneState } from './control-plane.ts';
import { TestBedError } from './errors.ts';
import { isOurProcess, residentMiB } from './processes.ts';
import { readState, stateDir, stateFile, writeState } from './state.ts';

const lockFile = path.join(stateDir, 'starting.lock');

function alive(state: ControlPlaneState): boolean {
  return state.processes.some(isOurProcess);
}

/** Takes the start lock; a lock left by a dead `up` is taken over. */
function acquireLock(): void {
  mkdirSync(stateDir, { recursive: true });
  try {
    closeSync(openSync(lockFile, 'wx'));
    writeFileSync(lockFile, String(process.pid));
  } catch {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && existsSync(`/proc/${holder}`)) {
      throw new TestBedError(`another 'make cluster-up' (pid ${holder}) is starting a cluster right now`, {
        fix: 'wait for it to finish, then use its kubeconfig',
      });
    }
    writeFileSync(lockFile, String(process.pid));
  }
}

async function up(): Promise<void> {
  const existing = readState();
  if (existing && alive(existing) && process.argv.includes('--reuse')) {
    console.error(`reusing the running local cluster (logs in ${path.join(existing.runDir, 'logs')})`);
    return;
  }
  if (existing && alive(existing)) {
    throw new TestBedError('a local cluster is already running', {
      fix: `use it (export KUBECONFIG=${existing.kubeconfig}) or stop it first with 'make cluster-down'`,
    });
  }
  acquireLock();
  try {
    if (existing) rmSync(stateFile);
    const state = await startControlPlane({
      onProgress: (line) => {
        console.error(line);
      },
    });
    writeState(state);
    console.error(`logs in ${path.join(state.runDir, 'logs')}; stop with 'make cluster-down'`);
    console.log(`export KUBECONFIG=${state.kubeconfig}`);
  } finally {
    rmSync(lockFile, { force: true });
  }
}

async function down(): Promise<void> {
  const state = readState();
  if (!state) {
    console.error('no local cluster is recorded; nothing to stop');
    return;
  }
  await stopControlPlane(state);
  rmSync(stateFile);
  console.error(`stopped ${state.processes.length} processes and removed ${state.runDir}`);
}

function status(): void {
  const state = readState();
  if (!state || !alive(state)) {
    console.log('no local cluster is running');
    return;
  }
  console.log(`KUBECONFIG=${state.kubeconfig}`);
  let total = 0;
  for (const record of state.processes) {
    const running = isOurProcess(record);
    const rss = running ? residentMiB(record.pid) : 0;
    total += rss;
    console.log(
      `${record.name.padEnd(26)} pid ${String(record.pid).padEnd(8)} ${running ? `${rss.toFixed(0)} MiB` : 'stopped'}`,
    );
  }
  console.log(`${'total resident memory'.padEnd(35)} ${total.toFixed(0)} MiB`);
}

function kubeconfig(): void {
  const state = readState();
  if (!state || !alive(state))
    throw new TestBedError('no local cluster is running', { fix: "run 'make cluster-up'" });
  console.log(state.kubeconfig);
}

const commands: Record<string, () => Promise<void> | void> = { up, down, status, kubeconfig };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error('usage: node test/cluster/cli.ts up [--reuse]|down|status|kubeconfig');
  process.exit(2);
}
try {
  await command();
} catch (error) {
  console.error(error instanceof TestBedError ? error.describe() : error);
  process.exit(1);
}
