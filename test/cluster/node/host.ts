/**
 * What a real node changes on the machine, recorded before it starts and compared after it stops: kernel settings,
 * packet-filter rules, interfaces, mounts, cgroups, network namespaces, CNI state and node processes.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestBedError } from '../errors.ts';
import { command } from './command.ts';

/**
 * Kernel settings the kubelet (its kernel tunables), the bridge plugin (forwarding) and kube-proxy touch.
 * Missing keys (a module not loaded) are recorded as absent and left alone.
 */
export const RECORDED_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.forwarding',
  'net.ipv4.conf.all.route_localnet',
  'net.ipv6.conf.all.forwarding',
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
] as const;

/** The node's own programs: a process running one of these binaries belongs to a real node. */
export const NODE_BINARIES = [
  'kubelet',
  'kube-proxy',
  'containerd',
  'containerd-shim-runc-v2',
  'coredns',
] as const;

const CGROUP_ROOT = '/sys/fs/cgroup';
/** Where the kubelet's cgroupfs driver puts every pod (under the default cgroup root "/"). */
export const KUBEPODS_CGROUP = 'kubepods';

export interface HostSnapshot {
  sysctls: Record<string, string | null>;
  /** iptables-save and ip6tables-save, normalised (see `normaliseRules`). */
  rules: string[];
  links: string[];
  mounts: string[];
  cgroups: string[];
  netns: string[];
  files: string[];
  nodeProcesses: string[];
}

const sysctlFile = (key: string) => path.join('/proc/sys', ...key.split('.'));

export function readSysctl(key: string): string | null {
  try {
    return readFileSync(sysctlFile(key), 'utf8').trim();
  } catch {
    return null;
  }
}

export function writeSysctl(key: string, value: string): void {
  try {
    writeFileSync(sysctlFile(key), value);
  } catch (cause) {
    throw new TestBedError(`the kernel setting ${key} cannot be changed (${(cause as Error).message})`, {
      fix: 'run as root on a machine (or VM) whose /proc/sys is writable; a container needs --privileged',
      cause,
    });
  }
}

export function recordSysctls(): Record<string, string | null> {
  return Object.fromEntries(RECORDED_SYSCTLS.map((key) => [key, readSysctl(key)]));
}

/** Writes back every recorded setting that changed; returns the keys restored. */
export function restoreSysctls(recorded: Record<string, string | null>): string[] {
  const restored: string[] = [];
  for (const [key, value] of Object.entries(recorded)) {
    if (value === null || readSysctl(key) === value) continue;
    writeSysctl(key, value);
    restored.push(key);
  }
  return restored;
}

/**
 * iptables-save output reduced to what changes behaviour: rules and chains of our own, and built-in chains whose
 * policy is not ACCEPT. An iptables-nft table that was created and emptied again is the same as no table.
 */
export function normaliseRules(save: string): string[] {
  let table = '';
  const out: string[] = [];
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith('-A ')) out.push(`${table} ${line}`);
    else if (line.startsWith(':')) {
      const [chain, policy] = line.slice(1).split(' ');
      if (policy !== 'ACCEPT') out.push(`${table} chain ${chain ?? ''} ${policy ?? ''}`);
    }
  }
  return out.sort();
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .sort();
}

/** Processes running one of the node's binaries from `binDir`, as `name pid`. */
export function nodeProcesses(binDir: string): string[] {
  const ours = new Set(NODE_BINARIES.map((name) => path.join(binDir, name)));
  return listDir('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const exe = readlinkSync(`/proc/${pid}/exe`);
        return ours.has(exe) ? [`${path.basename(exe)} ${pid}`] : [];
      } catch {
        return [];
      }
    });
}

/** Paths outside the run folder that a kubelet, containerd or CNI would write to by default. */
export const WATCHED_PATHS = [
  '/var/lib/cni',
  '/etc/cni',
  '/var/lib/kubelet',
  '/var/lib/containerd',
  '/run/containerd',
  '/var/log/pods',
  '/var/log/containers',
];

export async function snapshotHost(binDir: string): Promise<HostSnapshot> {
  const fix = 'install iptables and iproute2 (hack/install-debian-packages.sh) and run as root';
  const saves = await Promise.all([command('iptables-save', [], fix), command('ip6tables-save', [], fix)]);
  const links = await command('ip', ['-o', 'link', 'show'], fix);
  return {
    sysctls: recordSysctls(),
    rules: saves.flatMap((save, index) =>
      normaliseRules(save).map((rule) => `${index ? 'ip6' : 'ip'} ${rule}`),
    ),
    links: links
      .split('\n')
      .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1])
      .filter((name): name is string => Boolean(name))
      .sort(),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4])
      .filter((mount): mount is string => Boolean(mount))
      .sort(),
    cgroups: listDir(CGROUP_ROOT).flatMap((controller) =>
      listDir(path.join(CGROUP_ROOT, controller)).map((entry) => `${controller}/${entry}`),
    ),
    netns: listDir('/run/netns'),
    files: WATCHED_PATHS.flatMap(walk),
    nodeProcesses: nodeProcesses(binDir),
  };
}

/** Human-readable differences between two snapshots: what appeared (+) and what went (-), per aspect. */
export function diffSnapshots(before: HostSnapshot, after: HostSnapshot): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(before) as (keyof HostSnapshot)[]) {
    const was =
      key === 'sysctls' ? Object.entries(before.sysctls).map(([k, v]) => `${k}=${v ?? ''}`) : before[key];
    const now =
      key === 'sysctls' ? Object.entries(after.sysctls).map(([k, v]) => `${k}=${v ?? ''}`) : after[key];
    const wasSet = new Set(was);
    const nowSet = new Set(now);
    for (const item of now) if (!wasSet.has(item)) differences.push(`${key}: + ${item}`);
    for (const item of was) if (!nowSet.has(item)) differences.push(`${key}: - ${item}`);
  }
  return differences;
}
