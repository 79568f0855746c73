/**
 * Taking a stopped node's leftovers off the machine: pod processes and shims, mounts, pod cgroups and the files a
 * kubelet, containerd or CNI write outside the node's folder. Every step touches only what belongs to this node
 * (its folder, its binaries, the kubepods cgroup it was started without) and goes on when a step finds nothing.
 */
import { readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tryCommand } from './command.ts';
import { KUBEPODS_CGROUP, nodeProcesses } from './host.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(dir, entry.name));
  } catch {
    return [];
  }
}

/** Every kubepods cgroup folder in every controller, deepest first. */
function podCgroups(): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const child of subdirs(dir)) visit(child);
    found.push(dir);
  };
  for (const controller of subdirs(CGROUP_ROOT)) {
    const kubepods = path.join(controller, KUBEPODS_CGROUP);
    if (subdirs(controller).includes(kubepods)) visit(kubepods);
  }
  return found;
}

function pidsOf(cgroup: string): number[] {
  try {
    return readFileSync(path.join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kills what still runs in pod cgroups, then the node's shims; waits until both are gone. */
export async function killPodProcesses(binDir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const pids = [
      ...podCgroups().flatMap(pidsOf),
      ...nodeProcesses(binDir).map((entry) => Number(entry.split(' ')[1])),
    ];
    if (pids.length === 0) return;
    pids.forEach(kill);
    await sleep(100);
  }
}

/** Removes the kubepods cgroups (only empty cgroups can go; callers kill their processes first). */
export async function removePodCgroups(): Promise<string[]> {
  const stuck: string[] = [];
  for (const cgroup of podCgroups()) {
    let removed = false;
    for (let attempt = 0; attempt < 20 && !removed; attempt += 1) {
      try {
        rmdirSync(cgroup);
        removed = true;
      } catch {
        await sleep(100);
      }
    }
    if (!removed) stuck.push(cgroup);
  }
  return stuck;
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mount) => mount === dir || mount.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export async function unmountUnder(dir: string): Promise<string[]> {
  for (const mount of mountsUnder(dir)) {
    if (!(await tryCommand('umount', [mount]))) await tryCommand('umount', ['-l', mount]);
  }
  return mountsUnder(dir);
}

/** Files and folders that exist now under `roots` (recorded before the node starts). */
export function listTree(roots: readonly string[]): string[] {
  return roots.flatMap((root) => {
    try {
      statSync(root);
    } catch {
      return [];
    }
    return [
      root,
      ...readdirSync(root, { recursive: true, encoding: 'utf8' }).map((entry) => path.join(root, entry)),
    ];
  });
}

/** Removes what appeared under `roots` since `before` was listed (newest, deepest paths first). */
export function removeNewPaths(roots: readonly string[], before: readonly string[]): void {
  const known = new Set(before);
  const appeared = listTree(roots)
    .filter((entry) => !known.has(entry))
    .sort((a, b) => b.length - a.length);
  for (const entry of appeared) rmSync(entry, { recursive: true, force: true });
}
