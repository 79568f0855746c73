import { describe, expect, it } from 'vitest';
import { hostsHeldElsewhere, type HostClaim } from './hosts.ts';

const claim = (namespace: string, name: string, created: string, hosts: string[]): HostClaim => ({
  kind: 'MCPGServer',
  namespace,
  name,
  creationTimestamp: `2026-12-06T10:00:${created}Z`,
  hosts,
});

describe('hostsHeldElsewhere', () => {
  it('gives a host to the oldest claim; a younger one in another namespace learns who holds it', () => {
    const first = claim('team-a', 'tools', '00', ['tools.example.com']);
    const second = claim('team-b', 'tools', '05', ['*.example.com']);
    expect(hostsHeldElsewhere(first, [second])).toEqual([]);
    expect(hostsHeldElsewhere(second, [first])).toEqual([{ host: '*.example.com', holder: first }]);
  });

  it('orders claims made in the same second the same way from either side, so exactly one keeps the host', () => {
    const a = claim('team-a', 'racer', '00', ['race.example.com']);
    const b = claim('team-b', 'racer', '00', ['race.example.com']);
    const held = [hostsHeldElsewhere(a, [b]).length, hostsHeldElsewhere(b, [a]).length];
    expect(held.sort()).toEqual([0, 1]);
  });

  it('never counts claims of the same namespace or on other hosts', () => {
    const mine = claim('team-a', 'tools', '05', ['tools.example.com']);
    const neighbour = claim('team-a', 'other', '00', ['tools.example.com']);
    const elsewhere = claim('team-b', 'docs', '00', ['docs.example.com']);
    expect(hostsHeldElsewhere(mine, [neighbour, elsewhere])).toEqual([]);
  });
});
