import { describe, expect, it } from 'vitest';
import { childNameOf, childNamesOf, possibleClashes } from './child-names.ts';

describe('child names of the workload kinds', () => {
  it.each([
    { kind: 'MCPGServer' as const, name: 'tools', child: 'Service', expected: 'tools' },
    { kind: 'MCPGServer' as const, name: '1tools', child: 'Service', expected: 'mcpg-1tools' },
    { kind: 'MCPGGateway' as const, name: 'edge', child: 'Deployment', expected: 'edge-gateway' },
    { kind: 'MCPGGateway' as const, name: 'edge', child: 'ConfigMap', expected: 'edge-config' },
    { kind: 'MCPGInstance' as const, name: 'alice', child: 'Pod', expected: 'mcpgi-alice' },
  ])('$kind $name names its $child $expected', ({ kind, name, child, expected }) => {
    expect(childNameOf(kind, name, child)).toBe(expected);
  });

  it('shortens long names to a DNS label', () => {
    const long = 'a'.repeat(80);
    for (const child of childNamesOf('MCPGGateway', long)) expect(child.name.length).toBeLessThanOrEqual(63);
  });

  it.each([
    {
      name: 'a server and a gateway of one name share the Service and more',
      kind: 'MCPGServer' as const,
      object: 'foo',
      owners: ['MCPGGateway foo'],
    },
    {
      name: 'a server named like a gateway’s Deployment',
      kind: 'MCPGServer' as const,
      object: 'foo-gateway',
      owners: ['MCPGGateway foo', 'MCPGGateway foo-gateway'],
    },
    {
      name: 'a gateway whose Deployment is a server’s name',
      kind: 'MCPGGateway' as const,
      object: 'foo',
      owners: ['MCPGServer foo', 'MCPGServer foo-gateway'],
    },
    {
      name: 'a digit-first server and the gateway its prefixed name matches',
      kind: 'MCPGServer' as const,
      object: '1foo',
      owners: ['MCPGGateway 1foo', 'MCPGGateway mcpg-1foo'],
    },
    {
      name: 'an instance and the server its Service name matches',
      kind: 'MCPGInstance' as const,
      object: 'alice',
      owners: ['MCPGGateway mcpgi-alice', 'MCPGServer mcpgi-alice'],
    },
  ])('finds the objects that would clash: $name', ({ kind, object, owners }) => {
    const found = [...new Set(possibleClashes(kind, object).map((c) => `${c.owner.kind} ${c.owner.name}`))];
    expect(found.sort()).toEqual(owners.sort());
    for (const clash of possibleClashes(kind, object)) {
      expect(childNamesOf(clash.owner.kind, clash.owner.name)).toContainEqual(clash.child);
    }
  });
});
