import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FAILURE } from './lifecycle.ts';
import { entryFailure, referencedPlugins, resolvePluginSet } from './resolve.ts';
import type { Entry, PluginObject, PluginSetObject } from './types.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const ARTIFACT = `registry.local/plugins/identity@sha256:${'b'.repeat(64)}`;

const condition = (type: string, status: 'True' | 'False', reason = 'Reconciled', message?: string) => ({
  type,
  status,
  reason,
  lastTransitionTime: '2026-11-22T00:00:00Z',
  ...(message ? { message } : {}),
});

/** A plugin the supply chain verified, with overrides applied on top. */
function plugin(
  name: string,
  pluginId: string,
  mods: { status?: object; generation?: number } = {},
): PluginObject {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGPlugin',
    metadata: { name, generation: mods.generation ?? 1 },
    spec: { pluginId },
    status: {
      observedGeneration: 1,
      conditions: [condition('Ready', 'True'), condition('Verified', 'True'), condition('Revoked', 'False')],
      artifact: ARTIFACT,
      resolvedDigest: DIGEST,
      revokedBySha: false,
      ...mods.status,
    },
  };
}

const entry = (id: string, pluginRef: string, more: Partial<Entry> = {}): Entry => ({
  id,
  pluginRef: { name: pluginRef },
  enabled: true,
  enforce: true,
  ...more,
});

function set(entries: Entry[], capabilityGrants?: Record<string, string[]>): PluginSetObject {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGPluginSet',
    metadata: { name: 'production', namespace: 'team-a' },
    spec: { entries, ...(capabilityGrants ? { capabilityGrants } : {}) } as PluginSetObject['spec'],
  };
}

describe('entryFailure', () => {
  const id = 'dev.mcpg.identity.workload';
  it.each([
    { name: 'a verified, ready, unrevoked plugin', plugin: plugin('p', id), reason: undefined },
    { name: 'a missing plugin', plugin: undefined, reason: FAILURE.pluginNotFound, says: 'does not exist' },
    {
      name: 'a plugin with another id',
      plugin: plugin('p', 'dev.mcpg.other'),
      reason: FAILURE.pluginIdMismatch,
      says: 'provides "dev.mcpg.other"',
    },
    {
      name: 'revokedBySha',
      plugin: plugin('p', id, { status: { revokedBySha: true } }),
      reason: FAILURE.pluginRevoked,
      says: 'is revoked',
    },
    {
      name: 'a Revoked condition only',
      plugin: plugin('p', id, {
        status: {
          conditions: [condition('Revoked', 'True', 'ArtifactRevoked'), condition('Ready', 'False')],
        },
      }),
      reason: FAILURE.pluginRevoked,
      says: 'ArtifactRevoked',
    },
    {
      name: 'revoked and mismatched (the id is reported first)',
      plugin: plugin('p', 'dev.mcpg.other', { status: { revokedBySha: true } }),
      reason: FAILURE.pluginIdMismatch,
    },
    {
      name: 'a spec change not yet verified',
      plugin: plugin('p', id, { generation: 2 }),
      reason: FAILURE.pluginNotReady,
      says: 'has not been verified since',
    },
    {
      name: 'verification not reported',
      plugin: plugin('p', id, { status: { conditions: [] } }),
      reason: FAILURE.pluginNotVerified,
      says: 'no condition reported yet',
    },
    {
      name: 'a failed verification',
      plugin: plugin('p', id, {
        status: {
          conditions: [
            condition('Verified', 'False', 'SignatureFailed', 'bad sig'),
            condition('Ready', 'False'),
          ],
        },
      }),
      reason: FAILURE.pluginNotVerified,
      says: 'SignatureFailed: bad sig',
    },
    {
      name: 'no status at all',
      plugin: { ...plugin('p', id), status: undefined },
      reason: FAILURE.pluginNotReady,
      says: 'has not been pulled and verified yet',
    },
    {
      name: 'verified but not ready',
      plugin: plugin('p', id, {
        status: { conditions: [condition('Verified', 'True'), condition('Ready', 'False', 'PullFailed')] },
      }),
      reason: FAILURE.pluginNotReady,
      says: 'PullFailed',
    },
    {
      name: 'an artifact pinned by tag only',
      plugin: plugin('p', id, { status: { artifact: 'registry.local/plugins/identity:1.0.0' } }),
      reason: FAILURE.artifactMissing,
    },
    {
      name: 'no resolved digest',
      plugin: plugin('p', id, { status: { resolvedDigest: undefined } }),
      reason: FAILURE.artifactMissing,
    },
  ])('$name → $reason', ({ plugin: p, reason, says }) => {
    const failure = entryFailure(entry(id, 'p'), p);
    expect(failure?.reason).toBe(reason);
    if (says) expect(failure?.message).toContain(says);
  });
});

describe('resolvePluginSet', () => {
  const identity = plugin('identity', 'dev.mcpg.identity.workload');
  const policy = plugin('policy', 'dev.mcpg.policy.opa');
  const audit = plugin('audit', 'dev.mcpg.audit.stdout');
  const plugins = new Map<string, PluginObject | undefined>([
    ['identity', identity],
    ['policy', policy],
    ['audit', audit],
  ]);

  it('keeps load order, passes enforce and config through and folds in capability grants', () => {
    const result = resolvePluginSet(
      set(
        [
          entry('dev.mcpg.identity.workload', 'identity'),
          entry('dev.mcpg.policy.opa', 'policy', { enforce: false, config: { bundle: 'payments' } }),
          entry('dev.mcpg.audit.stdout', 'audit'),
        ],
        { 'dev.mcpg.audit.stdout': ['audit_write'] },
      ),
      plugins,
    );
    expect(result.failed).toEqual([]);
    expect(result.resolved).toEqual([
      {
        id: 'dev.mcpg.identity.workload',
        pluginRef: 'identity',
        artifact: ARTIFACT,
        digest: DIGEST,
        enforce: true,
      },
      {
        id: 'dev.mcpg.policy.opa',
        pluginRef: 'policy',
        artifact: ARTIFACT,
        digest: DIGEST,
        enforce: false,
        config: { bundle: 'payments' },
      },
      {
        id: 'dev.mcpg.audit.stdout',
        pluginRef: 'audit',
        artifact: ARTIFACT,
        digest: DIGEST,
        enforce: true,
        capabilities: ['audit_write'],
      },
    ]);
    expect(result.hash).toMatch(/^[a-f0-9]{64}$/);
  });

  it('skips a disabled entry without checking its plugin, and still counts it', () => {
    const result = resolvePluginSet(
      set([
        entry('dev.mcpg.identity.workload', 'identity'),
        entry('dev.mcpg.gone', 'missing', { enabled: false }),
      ]),
      plugins,
    );
    expect(result).toMatchObject({ total: 2, enabled: 1, failed: [] });
    expect(result.resolved.map((r) => r.id)).toEqual(['dev.mcpg.identity.workload']);
  });

  it('reports every failing entry and resolves the rest', () => {
    const result = resolvePluginSet(
      set([
        entry('dev.mcpg.identity.workload', 'identity'),
        entry('dev.mcpg.policy.opa', 'missing'),
        entry('dev.mcpg.audit.other', 'audit'),
      ]),
      plugins,
    );
    expect(result.resolved.map((r) => r.id)).toEqual(['dev.mcpg.identity.workload']);
    expect(result.failed.map((f) => [f.id, f.reason])).toEqual([
      ['dev.mcpg.policy.opa', FAILURE.pluginNotFound],
      ['dev.mcpg.audit.other', FAILURE.pluginIdMismatch],
    ]);
  });

  it('hashes the resolved list: equal lists agree, a changed digest or enforce flag does not', () => {
    const entries = [entry('dev.mcpg.identity.workload', 'identity')];
    const first = resolvePluginSet(set(entries), plugins).hash;
    expect(resolvePluginSet(set(entries), new Map(plugins)).hash).toBe(first);
    const moved = new Map(plugins).set(
      'identity',
      plugin('identity', 'dev.mcpg.identity.workload', {
        status: { resolvedDigest: `sha256:${'c'.repeat(64)}` },
      }),
    );
    expect(resolvePluginSet(set(entries), moved).hash).not.toBe(first);
    const shadow = [entry('dev.mcpg.identity.workload', 'identity', { enforce: false })];
    expect(resolvePluginSet(set(shadow), plugins).hash).not.toBe(first);
  });

  it('reads each referenced plugin once and none for disabled entries', () => {
    expect(
      referencedPlugins(
        set([
          entry('dev.mcpg.a.b', 'shared'),
          entry('dev.mcpg.c.d', 'shared'),
          entry('dev.mcpg.e.f', 'off', { enabled: false }),
        ]),
      ),
    ).toEqual(['shared']);
  });
});

describe('resolution of whatever a plugin status holds', () => {
  it('never throws and never resolves an entry whose plugin is not verified, ready and pinned', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (status, spec) => {
        const odd = { ...plugin('p', 'dev.mcpg.a.b'), spec, status } as unknown as PluginObject;
        const result = resolvePluginSet(set([entry('dev.mcpg.a.b', 'p')]), new Map([['p', odd]]));
        expect(result.resolved.length + result.failed.length).toBe(1);
        for (const r of result.resolved) expect(r.artifact).toMatch(/@sha256:[a-f0-9]{64}$/);
      }),
      { numRuns: 300 },
    );
  });
});
