import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestBedError } from './errors.ts';

/** What is recorded about a started process so that another command can stop exactly it later. */
export interface ProcessRecord {
  name: string;
  pid: number;
  binary: string;
  log: string;
}

export interface StartOptions {
  name: string;
  binary: string;
  args: string[];
  logDir: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** A process of the test bed: its own process group, output in a log file, exit observed. */
export class ManagedProcess {
  readonly record: ProcessRecord;
  private exit: { code: number | null; signal: string | null } | undefined;

  private constructor(record: ProcessRecord) {
    this.record = record;
  }

  static start(options: StartOptions): ManagedProcess {
    const log = path.join(options.logDir, `${options.name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(options.binary, options.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    closeSync(fd);
    if (child.pid === undefined) {
      throw new TestBedError(`${options.name} did not start (${options.binary})`, {
        log,
        fix: "run 'make setup' to rebuild the binary, then retry",
      });
    }
    const managed = new ManagedProcess({ name: options.name, pid: child.pid, binary: options.binary, log });
    child.on('exit', (code, signal) => (managed.exit = { code, signal }));
    child.on('error', () => (managed.exit ??= { code: null, signal: 'spawn-error' }));
    // The test bed outlives the command that starts it (`make cluster-up`); the exit listener stays.
    child.unref();
    return managed;
  }

  get exited(): boolean {
    return this.exit !== undefined;
  }

  /** How the process ended (exit code or signal), once it has. */
  get ended(): { code: number | null; signal: string | null } | undefined {
    return this.exit;
  }

  /** Throws a readable error when the process has already stopped. */
  assertRunning(): void {
    if (!this.exit) return;
    const how = this.exit.signal ? `signal ${this.exit.signal}` : `code ${this.exit.code ?? '?'}`;
    throw new TestBedError(`${this.record.name} exited with ${how} before it was ready`, {
      log: this.record.log,
      fix: `read the end of the log; a "bind: address already in use" means a port clash: retry, or stop the other process`,
    });
  }
}

/** True when `pid` is alive and still runs `binary` (a recycled PID must never be signalled). */
export function isOurProcess(record: ProcessRecord): boolean {
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    return cmdline.split('\0')[0] === record.binary;
  } catch {
    return false;
  }
}

/** Stops processes in the given order: SIGTERM, a grace period, then SIGKILL. Only recorded PIDs. */
export async function stopProcesses(records: readonly ProcessRecord[], graceMs = 10_000): Promise<void> {
  for (const record of records) {
    if (!isOurProcess(record)) continue;
    process.kill(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isOurProcess(record) && Date.now() < deadline) await sleep(100);
    if (isOurProcess(record)) process.kill(record.pid, 'SIGKILL');
  }
}

/** Linux's clock tick for /proc CPU times (USER_HZ), 100 on every common build. */
const USER_HZ = 100;

/** User plus system CPU seconds in the text of a /proc stat file (of a process, or of one of its threads). */
export function statCpuSeconds(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** CPU seconds a process (all its threads), or one thread of it, has used so far (0 when it is gone). */
export function cpuSeconds(pid: number, thread?: number): number {
  const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  try {
    return statCpuSeconds(readFileSync(file, 'utf8'));
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MiB, read from /proc (0 when it is gone). */
export function residentMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib ? Number(kib) / 1024 : 0;
  } catch {
    return 0;
  }
}
