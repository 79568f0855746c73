/**
 * `make cluster-up`, `make cluster-down` and `make cluster-status`: one local control plane per
 * machine user, remembered in a state file so that a second `up` refuses instead of corrupting it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startControlPlane, stopControlPlane, type ControlPlaneState } from './control-plane.ts';
import { TestBedError } from './errors.ts';
import { startRealNode, stopRealNode } from './node/real-node.ts';
import { isOurProcess, residentMiB, type ProcessRecord } from './processes.ts';
import { readState, stateDir, stateFile, writeState, type BedState } from './state.ts';

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
    const say = (line: string) => {
      console.error(line);
    };
    const state: BedState = await startControlPlane({ onProgress: say });
    writeState(state);
    if (process.argv.includes('--real-node')) await addRealNode(state, say);
    console.error(`logs in ${path.join(state.runDir, 'logs')}; stop with 'make cluster-down'`);
    console.log(`export KUBECONFIG=${state.kubeconfig}`);
  } finally {
    rmSync(lockFile, { force: true });
  }
}

/** The real node joins the running control plane; when it cannot, the control plane is stopped too. */
async function addRealNode(state: BedState, say: (line: string) => void): Promise<void> {
  try {
    state.realNode = await startRealNode(state, {
      onProgress: (line) => {
        say(`[real node] ${line}`);
      },
      onState: (node) => {
        writeState({ ...state, realNode: node });
      },
    });
    writeState(state);
  } catch (error) {
    await stopControlPlane(state);
    rmSync(stateFile);
    throw error;
  }
}

async function down(): Promise<void> {
  const state = readState();
  if (!state) {
    console.error('no local cluster is recorded; nothing to stop');
    return;
  }
  if (state.realNode) {
    await stopRealNode(state.realNode);
    console.error(
      `undid the real node ${state.realNode.nodeName} (processes, mounts, cgroups, bridge, rules, kernel settings)`,
    );
  }
  await stopControlPlane(state);
  rmSync(stateFile);
  console.error(`stopped ${state.processes.length} processes and removed ${state.runDir}`);
}

/** The control plane's processes, then the real node's (its registry first). */
function bedProcesses(state: BedState): ProcessRecord[] {
  const node = state.realNode;
  return [...state.processes, ...(node?.registry ? [node.registry.process] : []), ...(node?.processes ?? [])];
}

function status(): void {
  const state = readState();
  if (!state || !alive(state)) {
    console.log('no local cluster is running');
    return;
  }
  console.log(`KUBECONFIG=${state.kubeconfig}`);
  if (state.realNode?.registry) console.log(`registry ${state.realNode.registry.host}`);
  let total = 0;
  for (const record of bedProcesses(state)) {
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
  console.error('usage: node test/cluster/cli.ts up [--reuse] [--real-node]|down|status|kubeconfig');
  process.exit(2);
}
try {
  await command();
} catch (error) {
  console.error(error instanceof TestBedError ? error.describe() : error);
  process.exit(1);
}
