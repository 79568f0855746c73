/**
 * Checks made before a real node changes anything on the machine: each failure is one message naming what is
 * wrong and what to do, and nothing has been started or configured yet.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { TestBedError } from '../errors.ts';
import { toolPath } from '../tools.ts';
import { command, tryCommand } from './command.ts';
import { KUBEPODS_CGROUP, nodeProcesses, readSysctl, RECORDED_SYSCTLS, writeSysctl } from './host.ts';
import { CONTAINMENT_CHAINS, NODE_NETWORK } from './network.ts';

const INSTALL = 'run hack/install-debian-packages.sh (it installs the Debian packages the test bed needs)';
const DOWN = "run 'make cluster-down' (it stops a real node and undoes its changes)";

/** The programs from Debian the node runs, by path, with the package that brings each. */
const DEBIAN_PROGRAMS: Record<string, string> = {
  '/usr/sbin/runc': 'runc',
  '/usr/lib/cni/bridge': 'containernetworking-plugins',
  '/usr/lib/cni/host-local': 'containernetworking-plugins',
  '/usr/lib/cni/loopback': 'containernetworking-plugins',
  '/usr/sbin/iptables': 'iptables',
  '/usr/sbin/conntrack': 'conntrack',
  '/usr/bin/gcc': 'gcc',
};

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** True when two IPv4 CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [addressA = '', bitsA = '32'] = a.split('/');
  const [addressB = '', bitsB = '32'] = b.split('/');
  const bits = Math.min(Number(bitsA), Number(bitsB));
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ipv4ToNumber(addressA) & mask) >>> 0 === (ipv4ToNumber(addressB) & mask) >>> 0;
}

/** Routes (from `ip -4 -o route show`) other than the default one that reach into `cidr`. */
export function routesInto(routeListing: string, cidr: string): string[] {
  return routeListing
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('default'))
    .filter((line) => {
      const destination = line.split(' ')[0] ?? '';
      return cidrsOverlap(destination.includes('/') ? destination : `${destination}/32`, cidr);
    });
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new TestBedError('a real node needs root (the kubelet, containerd, iptables and the bridge do)', {
      fix: 'run as root, or leave REAL_NODE unset for the kwok-only cluster',
    });
  }
}

function requirePrograms(binDir: string): void {
  const tools = [
    'kubelet',
    'kube-proxy',
    'containerd',
    'containerd-shim-runc-v2',
    'ctr',
    'coredns',
    'crane',
  ] as const;
  for (const tool of tools) toolPath(tool, binDir);
  for (const [file, pkg] of Object.entries(DEBIAN_PROGRAMS)) {
    if (!existsSync(file))
      throw new TestBedError(`${file} is missing (Debian package ${pkg})`, { fix: INSTALL });
  }
}

function requireCgroups(): void {
  const root = '/sys/fs/cgroup';
  const v1 = ['memory', 'cpu', 'pids'].every((c) => existsSync(path.join(root, c)));
  if (!v1 && !existsSync(path.join(root, 'cgroup.controllers'))) {
    throw new TestBedError('no cgroup memory, cpu and pids controllers are mounted under /sys/fs/cgroup', {
      fix: 'run on a machine (or VM) with cgroups mounted; a container needs --privileged and --cgroupns=host',
    });
  }
  const taken = readdirSync(root).filter((c) => existsSync(path.join(root, c, KUBEPODS_CGROUP)));
  if (taken.length > 0) {
    throw new TestBedError(
      `another kubelet's pod cgroups exist (/sys/fs/cgroup/{${taken.join(',')}}/kubepods)`,
      {
        fix: `${DOWN}; if another kubelet runs on this machine, stop it first`,
      },
    );
  }
}

function requireNoNode(binDir: string): void {
  const running = nodeProcesses(binDir);
  if (running.length > 0) {
    throw new TestBedError(`a real node is already running on this machine (${running.join(', ')})`, {
      fix: DOWN,
    });
  }
}

async function requireFreeNetwork(): Promise<void> {
  if (existsSync(`/sys/class/net/${NODE_NETWORK.bridge}`)) {
    throw new TestBedError(`the interface ${NODE_NETWORK.bridge} already exists`, { fix: DOWN });
  }
  const routes = await command('ip', ['-4', '-o', 'route', 'show'], INSTALL);
  for (const cidr of [NODE_NETWORK.podCidr, NODE_NETWORK.fakePodCidr, NODE_NETWORK.serviceCidr]) {
    const clash = routesInto(routes, cidr);
    if (clash.length > 0) {
      throw new TestBedError(
        `the address range ${cidr} is already in use on this machine (route: ${clash[0] ?? ''})`,
        {
          fix: 'remove that route or interface, or run the test bed on another machine',
        },
      );
    }
  }
  for (const { table, chain } of CONTAINMENT_CHAINS) {
    if (await tryCommand('iptables', ['-w', '-t', table, '-S', chain])) {
      throw new TestBedError(`the iptables chain ${chain} (table ${table}) already exists`, { fix: DOWN });
    }
  }
  const dns = await command('ss', ['-H', '-lntu', 'sport = :53'], INSTALL);
  const wildcard = dns.split('\n').find((line) => /\s(0\.0\.0\.0|\*|\[::\]):53\s/.test(line));
  if (wildcard) {
    throw new TestBedError(
      `port 53 is taken on every address, so CoreDNS cannot listen on ${NODE_NETWORK.gateway}`,
      {
        fix: `stop the DNS server listening there (ss -lntup 'sport = :53'): ${wildcard.trim()}`,
      },
    );
  }
}

/** Writing each kernel setting's current value back proves it can be changed (and restored) without changing it. */
function requireWritableSysctls(): void {
  for (const key of RECORDED_SYSCTLS) {
    const value = readSysctl(key);
    if (value !== null) writeSysctl(key, value);
  }
}

export async function preflight(binDir: string): Promise<void> {
  requireRoot();
  requirePrograms(binDir);
  requireNoNode(binDir);
  requireCgroups();
  await requireFreeNetwork();
  requireWritableSysctls();
}
