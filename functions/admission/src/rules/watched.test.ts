import { describe, expect, it } from 'vitest';
import type { AdmissionRequest } from '../admission-review.ts';
import { decide } from '../decide.ts';
import { fakeLookups, type FakeCluster } from '../fake-lookups.test-support.ts';
import { OPEN_POLICY } from '../policy.ts';

const HELD = { 'mcpg.dev/tenant-namespace': 'true', 'mcpg.dev/tenant': 'team-a' };
const WATCHED = { 'mcpg.dev/watch': 'true' };
const alice = { username: 'alice', groups: ['team-a'] };

function server(spec: Record<string, unknown>) {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name: 'tools', namespace: 'team-a' },
    spec: { image: `ghcr.io/example/tools@sha256:${'c'.repeat(64)}`, ...spec },
  };
}

async function warningsFor(
  object: { kind: string; metadata: { name: string; namespace?: string } },
  cluster: FakeCluster,
  oldObject?: unknown,
): Promise<string[]> {
  const request: AdmissionRequest = {
    uid: 'uid-1',
    kind: { group: 'mcpg.dev', version: 'v1alpha2', kind: object.kind },
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    operation: oldObject ? 'UPDATE' : 'CREATE',
    userInfo: alice,
    object,
    ...(oldObject ? { oldObject } : {}),
  };
  const verdict = await decide(request, object.kind, {
    lookups: fakeLookups(cluster),
    lookupFailurePolicy: 'Fail',
    privilegedGroups: [],
    policy: { ...OPEN_POLICY, operatorNamespace: 'mcpg-system' },
  });
  return verdict.warnings;
}

const grants = [
  'alice get secrets/token team-a',
  'alice get secrets/labelled team-a',
  'alice get configmaps/settings team-a',
];

describe('warnings about Secrets and ConfigMaps whose changes wait for the resync', () => {
  const env = {
    envFrom: [{ secretRef: { name: 'token' } }, { configMapRef: { name: 'settings' } }],
    envFromSecrets: ['labelled'],
  };
  const sources = {
    'Secret team-a/token': {},
    'ConfigMap team-a/settings': { team: 'a' },
    'Secret team-a/labelled': WATCHED,
  };

  it('name each unlabelled one a server newly reads, the field and the label to add', async () => {
    const warnings = await warningsFor(server(env), { namespaceLabels: { 'team-a': HELD }, grants, sources });
    expect(warnings).toEqual([
      'spec.envFrom[0].secretRef: Secret token lacks label mcpg.dev/watch=true; its changes wait for the resync',
      'spec.envFrom[1].configMapRef: ConfigMap settings lacks label mcpg.dev/watch=true; its changes wait for the resync',
    ]);
    for (const warning of warnings) expect(warning.length).toBeLessThanOrEqual(120);
  });

  it('say once that no tenant holds the namespace, where even labelled ones wait', async () => {
    const warnings = await warningsFor(server(env), { namespaceLabels: { 'team-a': {} }, grants, sources });
    expect(warnings).toEqual([
      'no MCPGTenant holds namespace team-a: changes to the Secrets and ConfigMaps named here wait for the resync',
    ]);
  });

  it('are not repeated for references the stored object already made', async () => {
    const cluster = { namespaceLabels: { 'team-a': HELD }, grants, sources };
    expect(await warningsFor(server({ ...env, replicas: 2 }), cluster, server(env))).toEqual([]);
  });

  it('tell nothing about a Secret the author may not read: the write is refused without them', async () => {
    const warnings = await warningsFor(server(env), {
      namespaceLabels: { 'team-a': HELD },
      grants: ['alice get configmaps/settings team-a'],
      sources,
    });
    expect(warnings.join('\n')).not.toContain('lacks label');
  });

  it("name a plugin's unlabelled keys in the operator's namespace, which its own source always follows", async () => {
    const plugin = {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name: 'audit' },
      spec: {
        pluginId: 'dev.mcpg.audit.stdout',
        version: '1.0.0',
        pluginClass: 'audit_sink',
        oci: {
          image: `ghcr.io/mcpg-dev/plugins/audit@sha256:${'a'.repeat(64)}`,
          pullSecretRef: { name: 'pull' },
        },
        trust: { signingKeyRef: { secretName: 'release-key', key: 'release.pub' } },
      },
    };
    const warnings = await warningsFor(plugin, {
      sources: { 'Secret mcpg-system/release-key': {}, 'Secret mcpg-system/pull': WATCHED },
    });
    expect(warnings).toEqual([
      'spec.trust.signingKeyRef: Secret release-key lacks label mcpg.dev/watch=true; its changes wait for the resync',
    ]);
  });
});
