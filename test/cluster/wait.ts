import { setTimeout as sleep } from 'node:timers/promises';
import { TestBedError } from './errors.ts';
import type { ManagedProcess } from './processes.ts';

export interface WaitOptions {
  /** What we wait for, in words ("kube-apiserver /readyz"). */
  what: string;
  timeoutMs: number;
  /** Processes whose early exit ends the wait at once with their log. */
  watch?: readonly ManagedProcess[];
  /** Log to point at when the wait times out. */
  log?: string;
  intervalMs?: number;
}

/** Polls `check` until it returns a value other than undefined, a watched process dies, or time runs out. */
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    for (const process of options.watch ?? []) process.assertRunning();
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 200);
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new TestBedError(
    `timed out after ${options.timeoutMs / 1000}s waiting for ${options.what}${detail}`,
    {
      ...(options.log ? { log: options.log } : {}),
      fix: 'read the log; on a loaded machine, retry',
    },
  );
}
