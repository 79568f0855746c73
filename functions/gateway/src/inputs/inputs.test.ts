import { describe, expect, it } from 'vitest';
import { plugin } from '../test-support.ts';
import { clusterBlock, clusterPlugin } from './cluster.ts';
import { lastKnownGood, pluginSetState } from './plugins.ts';
import { revocationDocument } from './revocations.ts';
import { tenantAttributes } from './routes.ts';

const ready = {
  type: 'Ready',
  status: 'True',
  reason: 'Reconciled',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};
const notReady = { ...ready, status: 'False', reason: 'EntriesFailed', message: 'PluginRevoked' };
const set = (status: Record<string, unknown>) => ({
  apiVersion: 'mcpg.dev/v1alpha2',
  kind: 'MCPGPluginSet',
  metadata: { name: 's' },
  status,
});

describe('plugin set state', () => {
  const resolved = [plugin('dev.mcpg.a')];
  it.each([
    {
      name: 'ready with a resolved list',
      object: set({ conditions: [ready], resolved }),
      want: { plugins: resolved },
    },
    { name: 'missing', object: undefined, want: { reason: 'PluginSetNotFound' } },
    {
      name: 'not ready',
      object: set({ conditions: [notReady], resolved }),
      want: { reason: 'PluginSetNotReady' },
    },
    {
      name: 'ready without a list',
      object: set({ conditions: [ready] }),
      want: { reason: 'PluginSetNotReady' },
    },
  ])('$name', ({ object, want }) => {
    expect(pluginSetState('s', object as never)).toMatchObject(want);
  });

  it.each([
    { data: undefined, want: 0 },
    { data: { 'plugins.json': 'not json' }, want: 0 },
    { data: { 'plugins.json': JSON.stringify([plugin('dev.mcpg.a')]) }, want: 1 },
  ])('reads the last good list back from the ConfigMap ($want)', ({ data, want }) => {
    const configMap = data
      ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data }
      : undefined;
    expect(lastKnownGood(configMap)).toHaveLength(want);
  });
});

describe('cluster binding', () => {
  it('flattens the backend settings next to kind', () => {
    expect(clusterBlock({ backend: 'redis', config: { url: 'rediss://r' } })).toEqual({
      kind: 'redis',
      url: 'rediss://r',
    });
  });

  it('injects the backend plugin only once it is verified and pinned', () => {
    const cluster = {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGCluster',
      metadata: { name: 'c' },
      spec: { backend: 'redis' as const },
    };
    const pinned = { artifact: `r.example/p@sha256:${'b'.repeat(64)}`, conditions: [ready] };
    const object = (status: Record<string, unknown>) => ({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name: 'p' },
      status,
    });
    expect(clusterPlugin(cluster, object(pinned) as never)).toMatchObject({
      id: 'dev.mcpg.cluster.redis',
      digest: `sha256:${'b'.repeat(64)}`,
    });
    expect(clusterPlugin(cluster, object({ ...pinned, conditions: [notReady] }) as never)).toBeUndefined();
    expect(clusterPlugin(cluster, undefined)).toBeUndefined();
  });
});

describe('revocation document', () => {
  it('lower-cases sha256 values and keeps every kind of entry', () => {
    const document = JSON.parse(
      revocationDocument({
        version: 1,
        revocations: [
          { artifactSha256: 'AB'.repeat(32), reason: 'cve' },
          { signerIdentity: { subject: 's' }, reason: 'retired' },
        ],
      }),
    ) as { revocations: Record<string, unknown>[] };
    expect(document.revocations).toEqual([
      { artifact_sha256: 'ab'.repeat(32), reason: 'cve', revoked_at: null },
      { signer_identity: { subject: 's', issuer: null }, reason: 'retired', revoked_at: null },
    ]);
  });
});

describe('tenant attributes', () => {
  const tenant = (name: string, created: string, value: string) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGTenant',
    metadata: { name, creationTimestamp: created },
    spec: { namespaces: ['shared'], identityAttribute: { key: 'tenant', value } },
  });

  it('takes the attribute of the tenant owning a namespace two tenants list, whatever the list order', () => {
    const owner = tenant('zeta', '2026-11-22T10:00:00Z', 'owner');
    const latecomer = tenant('alpha', '2026-11-22T11:00:00Z', 'latecomer');
    for (const tenants of [
      [owner, latecomer],
      [latecomer, owner],
    ]) {
      expect(tenantAttributes(tenants).get('shared')).toEqual({ key: 'tenant', value: 'owner' });
    }
  });
});
