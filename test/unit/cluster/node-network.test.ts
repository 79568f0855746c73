import { describe, expect, it } from 'vitest';
import { diffSnapshots, normaliseRules, type HostSnapshot } from '../../cluster/node/host.ts';
import { containmentRules, NODE_NETWORK } from '../../cluster/node/network.ts';
import { cidrsOverlap, routesInto } from '../../cluster/node/preflight.ts';

describe('the real node’s address ranges', () => {
  it.each([
    { a: '10.245.0.0/24', b: '10.245.0.0/24', overlap: true },
    { a: '10.245.0.0/16', b: '10.245.7.0/24', overlap: true },
    { a: '10.245.0.128/25', b: '10.245.0.0/24', overlap: true },
    { a: '10.244.0.0/16', b: '10.245.0.0/24', overlap: false },
    { a: '192.0.2.0/24', b: '10.245.0.0/24', overlap: false },
    { a: '0.0.0.0/0', b: '10.245.0.0/24', overlap: true },
  ])('$a and $b overlap: $overlap', ({ a, b, overlap }) => {
    expect(cidrsOverlap(a, b)).toBe(overlap);
  });

  it('finds a route into the pod range, ignoring the default route', () => {
    const routes = [
      'default via 192.0.2.1 dev eth0',
      '192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2',
      '10.245.0.0/16 dev tun0 scope link',
    ].join('\n');
    expect(routesInto(routes, NODE_NETWORK.podCidr)).toEqual(['10.245.0.0/16 dev tun0 scope link']);
    expect(routesInto(routes, '172.16.0.0/12')).toEqual([]);
  });
});

describe('the containment rules', () => {
  const rules = containmentRules();

  it('drop, in chains of their own, everything but what goes through loopback', () => {
    for (const { rule, chain } of rules) {
      expect(rule.slice(-2)).toEqual(rule[1] === 'lo' ? ['-j', 'RETURN'] : ['-j', 'DROP']);
      expect(chain).toMatch(/^MCPG-NODE-/);
    }
  });

  it('cover every packet from or to a pod or a Service address that would leave through another interface', () => {
    const egress = rules.filter((r) => r.table === 'mangle').map((r) => r.rule.slice(0, 5).join(' '));
    expect(egress).toEqual([
      '-o lo -m comment --comment',
      `-s ${NODE_NETWORK.podCidr} ! -o ${NODE_NETWORK.bridge}`,
      `-d ${NODE_NETWORK.podCidr} ! -o ${NODE_NETWORK.bridge}`,
      `-d ${NODE_NETWORK.fakePodCidr} ! -o ${NODE_NETWORK.bridge}`,
      `-d ${NODE_NETWORK.serviceCidr} ! -o ${NODE_NETWORK.bridge}`,
    ]);
    const forward = rules.filter((r) => r.table === 'filter').map((r) => r.rule.slice(0, 5).join(' '));
    expect(forward).toEqual([
      `-i ${NODE_NETWORK.bridge} ! -o ${NODE_NETWORK.bridge}`,
      `! -i ${NODE_NETWORK.bridge} -o ${NODE_NETWORK.bridge}`,
    ]);
  });
});

describe('comparing the machine before and after', () => {
  it('treats an emptied iptables-nft table like no table, but not a rule or a changed policy', () => {
    const empty = [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [12:720]',
      ':OUTPUT ACCEPT [0:0]',
      'COMMIT',
    ];
    expect(normaliseRules(empty.join('\n'))).toEqual([]);
    const changed = [
      '*filter',
      ':FORWARD DROP [0:0]',
      ':KUBE-FORWARD - [0:0]',
      '-A FORWARD -j KUBE-FORWARD',
      'COMMIT',
    ];
    expect(normaliseRules(changed.join('\n'))).toEqual([
      'filter -A FORWARD -j KUBE-FORWARD',
      'filter chain FORWARD DROP',
      'filter chain KUBE-FORWARD -',
    ]);
  });

  it('names what appeared and what went, per aspect', () => {
    const base: HostSnapshot = {
      sysctls: { 'net.ipv4.ip_forward': '0' },
      rules: [],
      links: ['eth0', 'lo'],
      mounts: ['/'],
      cgroups: ['memory/user.slice'],
      netns: [],
      files: [],
      nodeProcesses: [],
    };
    const after = { ...base, sysctls: { 'net.ipv4.ip_forward': '1' }, links: ['eth0', 'lo', 'mcpg0'] };
    expect(diffSnapshots(base, after)).toEqual([
      'sysctls: + net.ipv4.ip_forward=1',
      'sysctls: - net.ipv4.ip_forward=0',
      'links: + mcpg0',
    ]);
    expect(diffSnapshots(base, { ...base })).toEqual([]);
  });
});
