import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TestBedError } from '../errors.ts';

const execFileAsync = promisify(execFile);

/** Runs a host command and returns its stdout; a failure names the command, its stderr and `fix`. */
export async function command(binary: string, args: readonly string[], fix: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(binary, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (cause) {
    const stderr = ((cause as { stderr?: string }).stderr ?? '').trim();
    throw new TestBedError(`${binary} ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, {
      fix,
      cause,
    });
  }
}

/** Like `command`, but a failure only returns false (for clean-up steps that must go on). */
export async function tryCommand(binary: string, args: readonly string[]): Promise<boolean> {
  try {
    await execFileAsync(binary, args);
    return true;
  } catch {
    return false;
  }
}
