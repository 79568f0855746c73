/**
 * The real node's network: a bridge of its own with the pod range, and the rules that keep every packet of a pod
 * or a Service on this machine. The rules live in chains of our own, jumped to from the built-in chains, so they
 * are added and removed as a unit and never touch anyone else's rules.
 */
import { command, tryCommand } from './command.ts';

export const NODE_NETWORK = {
  bridge: 'mcpg0',
  /** Real pods; apart from kwok's fake pod range. */
  podCidr: '10.245.0.0/24',
  gateway: '10.245.0.1',
  /**
   * The bridge's own MAC, locally administered. Left unset, a bridge takes the lowest MAC among its ports and
   * changes it whenever a pod's veth comes or goes; pods then keep sending to the gateway's old MAC, which no
   * longer reaches the machine, until their ARP entry expires (DNS and every routed connection stall meanwhile).
   */
  bridgeMac: '02:6d:63:70:67:01',
  /** kwok's fake pod addresses: they exist nowhere, so nothing may be sent towards them either. */
  fakePodCidr: '10.244.0.0/16',
  /** The API server's --service-cluster-ip-range. */
  serviceCidr: '10.96.0.0/16',
  cniNetwork: 'mcpg-node',
} as const;

export interface ContainmentRule {
  table: 'filter' | 'mangle';
  chain: string;
  /** The arguments after `-A <chain>`. */
  rule: string[];
}

/** Our chains and the built-in chain each is jumped to from. */
export const CONTAINMENT_CHAINS = [
  { table: 'filter', chain: 'MCPG-NODE-FORWARD', from: 'FORWARD' },
  { table: 'mangle', chain: 'MCPG-NODE-EGRESS', from: 'POSTROUTING' },
] as const;

const comment = (text: string) => ['-m', 'comment', '--comment', `mcpg-node: ${text}`];

/**
 * FORWARD stops pods from routing anywhere but the bridge and the outside from routing to pods. The mangle
 * POSTROUTING rules are the backstop after every filter and NAT decision (kube-proxy's DNAT included, masquerade
 * not yet applied): nothing from a pod, to a pod or to a Service address leaves through another interface.
 */
export function containmentRules(network = NODE_NETWORK): ContainmentRule[] {
  const { bridge } = network;
  const forward = 'MCPG-NODE-FORWARD';
  const egress = 'MCPG-NODE-EGRESS';
  return [
    {
      table: 'filter',
      chain: forward,
      rule: ['-i', bridge, '!', '-o', bridge, ...comment('pod to outside'), '-j', 'DROP'],
    },
    {
      table: 'filter',
      chain: forward,
      rule: ['!', '-i', bridge, '-o', bridge, ...comment('outside to pod'), '-j', 'DROP'],
    },
    // The machine talking to itself (a pod's gateway address included) goes through lo and stays here.
    { table: 'mangle', chain: egress, rule: ['-o', 'lo', ...comment('loopback'), '-j', 'RETURN'] },
    ...[
      ['-s', network.podCidr, 'from a pod'],
      ['-d', network.podCidr, 'to a pod'],
      ['-d', network.fakePodCidr, 'to a fake pod'],
      ['-d', network.serviceCidr, 'to a service'],
    ].map(([flag, cidr, what]) => ({
      table: 'mangle' as const,
      chain: egress,
      rule: [
        flag ?? '',
        cidr ?? '',
        '!',
        '-o',
        bridge,
        ...comment(`${what ?? ''} off the bridge`),
        '-j',
        'DROP',
      ],
    })),
  ];
}

const FIX = 'run as root with the iptables package installed (hack/install-debian-packages.sh)';

/** Creates our chains, fills them and puts the jumps first in the built-in chains. */
export async function addContainment(network = NODE_NETWORK): Promise<void> {
  for (const { table, chain } of CONTAINMENT_CHAINS)
    await command('iptables', ['-w', '-t', table, '-N', chain], FIX);
  for (const { table, chain, rule } of containmentRules(network)) {
    await command('iptables', ['-w', '-t', table, '-A', chain, ...rule], FIX);
  }
  for (const { table, chain, from } of CONTAINMENT_CHAINS) {
    await command('iptables', ['-w', '-t', table, '-I', from, '1', '-j', chain], FIX);
  }
}

/** Removes every jump from `from` to `chain`, then the chain; what is already gone is skipped. */
async function removeChain(
  binary: string,
  table: string,
  chain: string,
  from: readonly string[],
): Promise<void> {
  for (const builtIn of from) {
    // A jump added twice (an interrupted start) is removed as often as it is there.
    while (await tryCommand(binary, ['-w', '-t', table, '-D', builtIn, '-j', chain]));
  }
  await tryCommand(binary, ['-w', '-t', table, '-F', chain]);
  await tryCommand(binary, ['-w', '-t', table, '-X', chain]);
}

export async function removeContainment(): Promise<void> {
  for (const { table, chain, from } of CONTAINMENT_CHAINS)
    await removeChain('iptables', table, chain, [from]);
}

/**
 * The chains the kubelet makes for itself (a canary to notice a flushed table, a hint of the iptables mode kube-
 * proxy reads, the localnet guard) and the jumps to them. kube-proxy --cleanup leaves them; the node made them.
 */
const KUBELET_CHAINS = [
  { table: 'filter', chain: 'KUBE-FIREWALL', from: ['INPUT', 'OUTPUT'] },
  { table: 'filter', chain: 'KUBE-KUBELET-CANARY', from: [] },
  { table: 'mangle', chain: 'KUBE-KUBELET-CANARY', from: [] },
  { table: 'mangle', chain: 'KUBE-IPTABLES-HINT', from: [] },
  { table: 'nat', chain: 'KUBE-KUBELET-CANARY', from: [] },
] as const;

export async function removeKubeletChains(): Promise<void> {
  for (const binary of ['iptables', 'ip6tables']) {
    for (const { table, chain, from } of KUBELET_CHAINS) await removeChain(binary, table, chain, from);
  }
}

/** Packets each containment rule has dropped so far, keyed by its comment. */
export async function droppedPackets(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { table, chain } of CONTAINMENT_CHAINS) {
    const listing = await command('iptables', ['-w', '-t', table, '-L', chain, '-n', '-v', '-x'], FIX);
    for (const line of listing.split('\n')) {
      const match = /^\s*(\d+)\s+\d+\s+DROP\b.*\/\* mcpg-node: (.+?) \*\//.exec(line);
      if (match?.[1] && match[2]) counts[match[2]] = Number(match[1]);
    }
  }
  return counts;
}

/** The bridge with the pods' gateway address, made before CoreDNS listens on that address. */
export async function addBridge(network = NODE_NETWORK): Promise<void> {
  const fix = 'run as root; a bridge of this name must not exist yet (make cluster-down removes ours)';
  await command('ip', ['link', 'add', network.bridge, 'address', network.bridgeMac, 'type', 'bridge'], fix);
  const prefix = network.podCidr.split('/')[1] ?? '24';
  await command('ip', ['addr', 'add', `${network.gateway}/${prefix}`, 'dev', network.bridge], fix);
  await command('ip', ['link', 'set', network.bridge, 'up'], fix);
}

export async function removeBridge(network = NODE_NETWORK): Promise<void> {
  await tryCommand('ip', ['link', 'delete', network.bridge]);
}
