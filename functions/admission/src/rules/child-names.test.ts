import { describe, expect, it } from 'vitest';
import { example, type Manifest } from '../../../../test/fixtures/examples.ts';
import { decide } from '../decide.ts';
import { fakeLookups, type FakeCluster } from '../fake-lookups.test-support.ts';
import { OPEN_POLICY } from '../policy.ts';

function named(kind: string, name: string): Manifest {
  const manifest = example(kind);
  return { ...manifest, metadata: { ...manifest.metadata, name, namespace: 'team-a' } };
}

// The example server reads two Secrets, which its author may read: only the names are in question here.
const AUTHOR_MAY = ['alice get secrets/github-token team-a', 'alice get secrets/github-tools-tls team-a'];

function verdictOf(manifest: Manifest, cluster: FakeCluster, operation: 'CREATE' | 'UPDATE' = 'CREATE') {
  return decide(
    {
      uid: 'uid-1',
      kind: { group: 'mcpg.dev', version: 'v1alpha2', kind: manifest.kind },
      namespace: 'team-a',
      name: manifest.metadata.name,
      operation,
      userInfo: { username: 'alice', groups: ['team-a'] },
      object: manifest,
    },
    manifest.kind,
    {
      lookups: fakeLookups({ grants: AUTHOR_MAY, ...cluster }),
      lookupFailurePolicy: 'Fail',
      privilegedGroups: ['system:masters'],
      policy: OPEN_POLICY,
    },
  );
}

const existing = (kind: string, name: string, namespace = 'team-a') => ({
  objects: [{ kind, namespace, name }],
});

describe('children of different kinds never share a name', () => {
  it('refuses a server named like a gateway in its namespace, naming the gateway and the children', async () => {
    const verdict = await verdictOf(named('MCPGServer', 'edge'), existing('MCPGGateway', 'edge'));
    expect(verdict.allowed).toBe(false);
    expect(verdict.message).toContain('metadata.name MCPGServer edge would need Service edge');
    expect(verdict.message).toContain(
      'which MCPGGateway edge in namespace team-a already uses; choose another name',
    );
  });

  it('refuses a gateway whose Deployment name a server already uses', async () => {
    const verdict = await verdictOf(named('MCPGGateway', 'edge'), existing('MCPGServer', 'edge-gateway'));
    expect(verdict.allowed).toBe(false);
    expect(verdict.message).toContain('Deployment edge-gateway');
  });

  it.each([
    { name: 'the same name in another namespace', cluster: existing('MCPGGateway', 'edge', 'team-b') },
    { name: 'an unrelated name', cluster: existing('MCPGGateway', 'other') },
  ])('admits a server when the other object has $name', async ({ cluster }) => {
    expect((await verdictOf(named('MCPGServer', 'edge'), cluster)).allowed).toBe(true);
  });

  it('leaves updates alone: the object already exists and holds its children', async () => {
    const verdict = await verdictOf(named('MCPGServer', 'edge'), existing('MCPGGateway', 'edge'), 'UPDATE');
    expect(verdict.allowed).toBe(true);
  });

  it('refuses a dotted server name, which cannot name a Service', async () => {
    const verdict = await verdictOf(named('MCPGServer', 'tools.v2'), {});
    expect(verdict.allowed).toBe(false);
    expect(verdict.message).toContain('metadata.name must be lower-case letters, digits and "-" (no ".")');
  });
});
