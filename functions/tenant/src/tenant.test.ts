import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { tenantConditions } from './lifecycle.ts';
import { namespacePlan } from './plan.ts';
import { desiredChildren } from './reconcile.ts';
import { tenantSettings } from './settings.ts';
import type { Inventory, NamespacedObject, TenantObject } from './types.ts';
import { tenantViolations } from './violations.ts';

function tenant(spec: Partial<TenantObject['spec']> = {}): TenantObject {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGTenant',
    metadata: { name: 'team-a', uid: 'uid-a', creationTimestamp: '2026-11-22T10:00:00Z' },
    spec: { namespaces: ['team-a'], ...spec },
  };
}

const inNamespace = (
  kind: string,
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
): NamespacedObject => ({
  apiVersion: 'mcpg.dev/v1alpha2',
  kind,
  metadata: { name, namespace },
  spec,
});

function inventory(more: Partial<Inventory> = {}): Inventory {
  return { gateways: [], pluginSets: [], routes: [], plugins: new Map(), ...more };
}

const OPTED_IN = { 'mcpg.dev/tenant-namespace': 'true' };
const existing = (...names: string[]) => new Map(names.map((n) => [n, OPTED_IN]));

describe('namespacePlan', () => {
  const me = {
    name: 'newer',
    creationTimestamp: '2026-11-22T10:00:05Z',
    namespaces: ['shared', 'mine', 'later'],
  };
  it('binds existing namespaces, reports missing ones and yields those an older tenant claims', () => {
    const older = { name: 'older', creationTimestamp: '2026-11-22T10:00:00Z', namespaces: ['shared'] };
    expect(namespacePlan(me, [older, me], existing('shared', 'mine'))).toEqual({
      bound: ['mine'],
      missing: ['later'],
      lost: [{ namespace: 'shared', owner: 'older' }],
      refused: [],
    });
  });

  it('holds only namespaces an administrator opted in, never kube-*', () => {
    const claim = { name: 'greedy', namespaces: ['kube-system', 'kube-public', 'plain', 'open'] };
    const found = new Map<string, Record<string, string>>([
      ['kube-system', OPTED_IN],
      ['kube-public', {}],
      ['plain', { team: 'a' }],
      ['open', OPTED_IN],
    ]);
    const plan = namespacePlan(claim, [], found);
    expect(plan.bound).toEqual(['open']);
    expect(plan.refused.map((r) => `${r.namespace} ${r.why}`)).toEqual([
      'kube-system is reserved for the cluster (kube-* namespaces cannot belong to a tenant)',
      'kube-public is reserved for the cluster (kube-* namespaces cannot belong to a tenant)',
      'plain has no label mcpg.dev/tenant-namespace=true; a cluster administrator opts a namespace in by setting it',
    ]);
    expect(tenantConditions(plan, { quota: [], plugins: [] })[0]).toMatchObject({
      status: 'False',
      reason: 'NamespaceNotEligible',
    });
  });

  it('keeps a namespace against a younger claimant', () => {
    const younger = { name: 'younger', creationTimestamp: '2026-11-22T11:00:00Z', namespaces: ['shared'] };
    expect(namespacePlan(me, [younger], existing('shared')).bound).toEqual(['shared']);
  });
});

describe('tenantViolations', () => {
  const gateway = (name: string, spec: Record<string, unknown>) =>
    inNamespace('MCPGGateway', 'team-a', name, spec);
  it.each([
    {
      name: 'nothing limited',
      spec: {},
      inv: inventory({ gateways: [gateway('g', { replicas: 9 })] }),
      quota: [],
      plugins: [],
    },
    {
      name: 'more gateways than maxGateways',
      spec: { quotas: { maxGateways: 1 } },
      inv: inventory({ gateways: [gateway('g1', { replicas: 1 }), gateway('g2', { replicas: 1 })] }),
      quota: ['2 MCPGGateways (team-a/g1, team-a/g2) exceed quotas.maxGateways 1'],
      plugins: [],
    },
    {
      name: 'routes at the limit',
      spec: { quotas: { maxRoutes: 1 } },
      inv: inventory({ routes: [inNamespace('MCPGRoute', 'team-a', 'r')] }),
      quota: [],
      plugins: [],
    },
    {
      name: 'replicas above the cap',
      spec: { quotas: { maxReplicasPerGateway: 3 } },
      inv: inventory({ gateways: [gateway('big', { replicas: 4 }), gateway('ok', { replicas: 3 })] }),
      quota: ['MCPGGateway team-a/big can run 4 replicas, above quotas.maxReplicasPerGateway 3'],
      plugins: [],
    },
    {
      name: 'an autoscaling ceiling above the cap',
      spec: { quotas: { maxReplicasPerGateway: 3 } },
      inv: inventory({
        gateways: [gateway('hpa', { replicas: 1, autoscaling: { enabled: true, maxReplicas: 10 } })],
      }),
      quota: ['MCPGGateway team-a/hpa can run 10 replicas, above quotas.maxReplicasPerGateway 3'],
      plugins: [],
    },
    {
      name: 'a plugin set entry outside the allowlist',
      spec: { allowedPlugins: [{ name: 'dev.mcpg.identity.workload' }] },
      inv: inventory({
        pluginSets: [
          inNamespace('MCPGPluginSet', 'team-a', 'prod', {
            entries: [
              { id: 'dev.mcpg.identity.workload', pluginRef: { name: 'identity' } },
              { id: 'dev.mcpg.policy.opa', pluginRef: { name: 'opa' } },
            ],
          }),
        ],
      }),
      quota: [],
      plugins: ['MCPGPluginSet team-a/prod uses dev.mcpg.policy.opa (MCPGPlugin opa), which is not allowed'],
    },
    {
      name: 'an entry allowed by the plugin image prefix',
      spec: { allowedPlugins: [{ registryPrefix: 'ghcr.io/mcpg-dev/' }] },
      inv: inventory({
        pluginSets: [
          inNamespace('MCPGPluginSet', 'team-a', 'prod', {
            entries: [{ id: 'dev.mcpg.a.b', pluginRef: { name: 'ab' } }],
          }),
        ],
        plugins: new Map<string, KubeObject | undefined>([
          [
            'ab',
            {
              apiVersion: 'mcpg.dev/v1alpha2',
              kind: 'MCPGPlugin',
              metadata: { name: 'ab' },
              spec: { oci: { image: 'ghcr.io/mcpg-dev/ab:1' } },
            },
          ],
        ]),
      }),
      quota: [],
      plugins: [],
    },
  ])('$name', ({ spec, inv, quota, plugins }) => {
    expect(tenantViolations(tenant(spec).spec, inv)).toEqual({ quota, plugins });
  });
});

describe('tenantConditions', () => {
  const clean = { quota: [], plugins: [] };
  it('is Ready when every namespace is bound and nothing is violated', () => {
    const conditions = tenantConditions({ bound: ['a', 'b'], missing: [], lost: [], refused: [] }, clean);
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Reconciled'],
      ['NamespacesBound', 'True', 'AllNamespacesBound'],
      ['Conflict', 'False', 'NoConflict'],
      ['QuotaWithinLimits', 'True', 'WithinLimits'],
      ['PluginsAllowed', 'True', 'AllPluginsAllowed'],
    ]);
  });

  it.each([
    {
      name: 'a namespace claimed first by another tenant',
      plan: { bound: [], missing: [], lost: [{ namespace: 'x', owner: 'old' }], refused: [] },
      violations: clean,
      reason: 'NamespaceClaimedByOlderTenant',
      says: 'namespace x belongs to tenant old',
    },
    {
      name: 'a missing namespace',
      plan: { bound: [], missing: ['x'], lost: [], refused: [] },
      violations: clean,
      reason: 'NamespaceMissing',
      says: 'namespaces x do not exist',
    },
    {
      name: 'a quota overage',
      plan: { bound: ['a'], missing: [], lost: [], refused: [] },
      violations: { quota: ['too many'], plugins: [] },
      reason: 'QuotaExceeded',
      says: 'too many; nothing running is changed',
    },
    {
      name: 'a plugin not allowed',
      plan: { bound: ['a'], missing: [], lost: [], refused: [] },
      violations: { quota: [], plugins: ['p'] },
      reason: 'PluginNotAllowed',
      says: 'spec.allowedPlugins',
    },
  ])('is not Ready with $name', ({ plan, violations, reason, says }) => {
    const ready = tenantConditions(plan, violations)[0];
    expect(ready).toMatchObject({ type: 'Ready', status: 'False', reason });
    expect(ready?.message).toContain(says);
  });
});

describe('desiredChildren', () => {
  it('gives every bound namespace a Role and RoleBinding, owned by the tenant, and a quota only when counts are limited', () => {
    const unlimited = desiredChildren(tenant(), ['team-a', 'team-a-dev']);
    expect(unlimited.map((c) => `${c.kind} ${c.metadata.namespace}/${c.metadata.name}`)).toEqual([
      'Role team-a/mcpg-tenant-team-a',
      'RoleBinding team-a/mcpg-tenant-team-a',
      'Role team-a-dev/mcpg-tenant-team-a',
      'RoleBinding team-a-dev/mcpg-tenant-team-a',
    ]);
    expect(unlimited[1]).toMatchObject({
      roleRef: { kind: 'Role', name: 'mcpg-tenant-team-a' },
      subjects: [{ kind: 'Group', name: 'mcpg.dev:tenant:team-a' }],
      metadata: { ownerReferences: [{ kind: 'MCPGTenant', name: 'team-a', uid: 'uid-a', controller: true }] },
    });
    const limited = desiredChildren(
      tenant({ quotas: { maxGateways: 2, maxRoutes: 0, maxReplicasPerGateway: 4 } }),
      ['team-a'],
    );
    expect(limited[0]).toMatchObject({
      kind: 'ResourceQuota',
      metadata: { labels: { 'mcpg.dev/mcpgtenant': 'team-a' } },
      spec: { hard: { 'count/mcpggateways.mcpg.dev': '2', 'count/mcpgroutes.mcpg.dev': '0' } },
    });
  });
});

describe('watched sources', () => {
  const sources = [
    { namespace: 'mcpg-system', name: 'mcpg-server-watched-source' },
    { namespace: 'mcpg-system', name: 'mcpg-gateway-watched-source' },
  ];

  it('are bound in every namespace the tenant holds, and only there', () => {
    const children = desiredChildren(tenant(), ['team-a', 'team-a-dev'], sources);
    const bindings = children.filter(
      (c) => c.kind === 'RoleBinding' && c.metadata.name.endsWith('-watched-source'),
    );
    expect(bindings.map((b) => `${b.metadata.namespace}/${b.metadata.name}`)).toEqual([
      'team-a/mcpg-tenant-team-a-mcpg-server-watched-source',
      'team-a/mcpg-tenant-team-a-mcpg-gateway-watched-source',
      'team-a-dev/mcpg-tenant-team-a-mcpg-server-watched-source',
      'team-a-dev/mcpg-tenant-team-a-mcpg-gateway-watched-source',
    ]);
    expect(bindings[0]).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'mcpg-server-watched-source' },
      subjects: [{ kind: 'ServiceAccount', namespace: 'mcpg-system', name: 'mcpg-server-watched-source' }],
      metadata: { ownerReferences: [{ kind: 'MCPGTenant', name: 'team-a', controller: true }] },
    });
    expect(desiredChildren(tenant(), [], sources)).toEqual([]);
  });

  it('are read from MCPG_WATCHED_SOURCES, refusing an entry that is not namespace/name', () => {
    const parse = (value: string) => tenantSettings.safeParse({ MCPG_WATCHED_SOURCES: value });
    expect(
      parse('mcpg-system/mcpg-server-watched-source, mcpg-system/mcpg-gateway-watched-source').data
        ?.MCPG_WATCHED_SOURCES,
    ).toEqual(sources);
    expect(tenantSettings.parse({}).MCPG_WATCHED_SOURCES).toEqual([]);
    expect(parse('mcpg-server-watched-source').error?.issues[0]?.message).toBe(
      '"mcpg-server-watched-source" is not namespace/serviceaccount',
    );
  });
});

describe('rules over whatever the namespaces hold', () => {
  it('never throw on objects with arbitrary specs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        (gateways, sets) => {
          const inv = inventory({
            gateways: gateways.map((spec, i) =>
              inNamespace('MCPGGateway', 'team-a', `g${i}`, spec as Record<string, unknown>),
            ),
            pluginSets: sets.map((spec, i) =>
              inNamespace('MCPGPluginSet', 'team-a', `s${i}`, spec as Record<string, unknown>),
            ),
          });
          const spec = tenant({
            quotas: { maxGateways: 1, maxReplicasPerGateway: 2 },
            allowedPlugins: [{ registryPrefix: 'x/' }],
          }).spec;
          expect(() => tenantViolations(spec, inv)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
