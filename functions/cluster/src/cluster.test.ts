import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clusterConditions, missingCredentials } from './lifecycle.ts';
import { backendPluginId, clusterBlock, configHash } from './render.ts';
import type { ClusterObject, Observed, PluginObject } from './types.ts';

function cluster(spec: Partial<ClusterObject['spec']> = {}): ClusterObject {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGCluster',
    metadata: { name: 'prod-redis' },
    spec: { backend: 'redis', config: { url: 'rediss://redis:6380', key_prefix: 'mcpg' }, ...spec },
  };
}

function plugin(pluginId: string, ready: boolean, revoked = false): PluginObject {
  const at = '2026-11-22T00:00:00Z';
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGPlugin',
    metadata: { name: 'cluster-redis' },
    spec: { pluginId },
    status: {
      revokedBySha: revoked,
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'Reconciled' : 'PullFailed',
          lastTransitionTime: at,
        },
      ],
    },
  };
}

const observed = (more: Partial<Observed> = {}): Observed => ({
  plugin: undefined,
  gatewayNamespaces: [],
  secretKeys: new Map(),
  ...more,
});

describe('the rendered block', () => {
  it('puts kind next to the backend settings and hashes the compact JSON with sorted keys', () => {
    const spec = cluster().spec;
    expect(clusterBlock(spec)).toEqual({ kind: 'redis', url: 'rediss://redis:6380', key_prefix: 'mcpg' });
    const compact = '{"key_prefix":"mcpg","kind":"redis","url":"rediss://redis:6380"}';
    expect(configHash(spec)).toBe(createHash('sha256').update(compact).digest('hex'));
    expect(configHash({ ...spec, config: { key_prefix: 'mcpg', url: 'rediss://redis:6380' } })).toBe(
      configHash(spec),
    );
  });

  it.each([
    ['single_node', undefined],
    ['redis', 'dev.mcpg.cluster.redis'],
    ['etcd', 'dev.mcpg.cluster.etcd'],
  ] as const)('names the plugin of %s: %s', (backend, id) => {
    expect(backendPluginId(backend)).toBe(id);
  });
});

describe('clusterConditions', () => {
  const ready = (c: ClusterObject, o: Observed) => clusterConditions(c, o)[0];
  it.each([
    {
      name: 'single_node',
      c: cluster({ backend: 'single_node', config: undefined }),
      o: observed(),
      reason: 'Reconciled',
    },
    { name: 'no pluginRef', c: cluster(), o: observed(), reason: 'Reconciled' },
    {
      name: 'a ready plugin',
      c: cluster({ pluginRef: { name: 'cluster-redis' } }),
      o: observed({ plugin: plugin('dev.mcpg.cluster.redis', true) }),
      reason: 'Reconciled',
    },
    {
      name: 'a missing plugin',
      c: cluster({ pluginRef: { name: 'cluster-redis' } }),
      o: observed(),
      reason: 'ClusterPluginNotFound',
    },
    {
      name: 'a plugin not ready',
      c: cluster({ pluginRef: { name: 'cluster-redis' } }),
      o: observed({ plugin: plugin('dev.mcpg.cluster.redis', false) }),
      reason: 'ClusterPluginNotReady',
    },
    {
      name: 'a revoked plugin',
      c: cluster({ pluginRef: { name: 'cluster-redis' } }),
      o: observed({ plugin: plugin('dev.mcpg.cluster.redis', true, true) }),
      reason: 'ClusterPluginNotReady',
    },
    {
      name: 'a plugin for another backend',
      c: cluster({ pluginRef: { name: 'cluster-redis' } }),
      o: observed({ plugin: plugin('dev.mcpg.cluster.nats', true) }),
      reason: 'ClusterPluginMismatch',
    },
    {
      name: 'a plaintext transport',
      c: cluster({ config: { url: 'redis://redis:6379' } }),
      o: observed(),
      reason: 'InvalidConfig',
    },
  ])('$name → Ready reason $reason', ({ c, o, reason }) => {
    expect(ready(c, o)).toMatchObject({
      type: 'Ready',
      status: reason === 'Reconciled' ? 'True' : 'False',
      reason,
    });
  });
});

describe('missingCredentials', () => {
  const withCredentials = cluster({
    credentialRefs: [
      { name: 'redis-password', secretName: 'redis-auth', key: 'password' },
      { name: 'token', secretName: 'redis-auth' },
    ],
  });
  it('checks every bound gateway namespace for the Secret and the key (the credential name by default)', () => {
    const secretKeys = new Map<string, readonly string[] | undefined>([
      ['team-a/redis-auth', ['password', 'token']],
      ['team-b/redis-auth', ['password']],
      ['team-c/redis-auth', undefined],
    ]);
    expect(
      missingCredentials(withCredentials, {
        gatewayNamespaces: ['team-c', 'team-a', 'team-b', 'team-a'],
        secretKeys,
      }),
    ).toEqual([
      'Secret team-b/redis-auth has no key token (credential token)',
      'Secret team-c/redis-auth (credential redis-password) does not exist',
      'Secret team-c/redis-auth (credential token) does not exist',
    ]);
  });

  it('needs nothing without bound gateways', () => {
    expect(missingCredentials(withCredentials, { gatewayNamespaces: [], secretKeys: new Map() })).toEqual([]);
    expect(clusterConditions(withCredentials, observed())[0]?.status).toBe('True');
  });
});
