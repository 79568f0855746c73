import { describe, expect, it } from 'vitest';
import { example, type Manifest } from '../../../test/fixtures/examples.ts';
import type { AdmissionRequest } from './admission-review.ts';
import { decide } from './decide.ts';
import { OPEN_POLICY } from './policy.ts';
import { fakeLookups, type FakeCluster } from './fake-lookups.test-support.ts';

function review(manifest: Manifest, overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    uid: 'uid-1',
    kind: { group: 'mcpg.dev', version: 'v1alpha2', kind: manifest.kind },
    namespace: manifest.metadata.namespace,
    name: manifest.metadata.name,
    operation: 'CREATE',
    userInfo: { username: 'alice', groups: ['team-a'] },
    object: manifest,
    ...overrides,
  };
}

const teamA = (spec: Record<string, unknown> = {}) => ({
  name: 'team-a',
  spec: { namespaces: ['mcpg'], ...spec },
});

const plugin = (
  name: string,
  pluginId: string,
  image = `ghcr.io/mcpg-dev/plugins/${name}@sha256:${'a'.repeat(64)}`,
) => ({
  name,
  spec: {
    pluginId,
    version: '1.0.0',
    pluginClass: 'identity_provider' as const,
    oci: { image },
    trust: { signingKeyRef: { secretName: 'k', key: 'release.pub' } },
  },
});

const allPlugins = [
  plugin('identity-workload-1-2-3', 'dev.mcpg.identity.workload'),
  plugin('policy-opa-0-9-0', 'dev.mcpg.policy.opa', `quay.io/other/opa@sha256:${'b'.repeat(64)}`),
  plugin('audit-stdout-1-0-0', 'dev.mcpg.audit.stdout'),
];

async function verdictOf(
  manifest: Manifest,
  cluster: FakeCluster,
  overrides: Partial<AdmissionRequest> = {},
) {
  return decide(review(manifest, overrides), manifest.kind, {
    lookups: fakeLookups(cluster),
    lookupFailurePolicy: 'Fail',
    privilegedGroups: ['system:masters'],
    policy: OPEN_POLICY,
  });
}

describe('decide', () => {
  it('admits the example gateway and refuses a field error with a message naming the field', async () => {
    expect((await verdictOf(example('MCPGGateway'), {})).allowed).toBe(true);
    const refused = await verdictOf(example('MCPGGateway', { replicas: 0 }), {});
    expect(refused).toMatchObject({
      allowed: false,
      code: 422,
      message: 'spec.replicas must be at least 1 (got 0)',
    });
  });

  it.each([
    {
      name: 'replicas over the cap',
      spec: { replicas: 7, autoscaling: undefined },
      path: 'spec.replicas',
      got: 7,
    },
    {
      name: 'an autoscaler ceiling over the cap',
      spec: { replicas: 2, autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 10 } },
      path: 'spec.autoscaling.maxReplicas',
      got: 10,
    },
  ])('refuses a gateway with $name of its tenant', async ({ spec, path, got }) => {
    const cluster = { tenants: [teamA({ quotas: { maxReplicasPerGateway: 6 } })] };
    const verdict = await verdictOf(example('MCPGGateway', spec), cluster);
    expect(verdict).toMatchObject({ allowed: false, code: 403 });
    expect(verdict.message).toBe(
      `${path} must be at most 6, the maxReplicasPerGateway of tenant team-a (got ${got}); lower it or raise the tenant's quota`,
    );
  });

  it('applies the cap of the older tenant when two were admitted for the same namespace', async () => {
    const older = {
      ...teamA({ quotas: { maxReplicasPerGateway: 6 } }),
      creationTimestamp: '2026-11-22T10:00:00Z',
    };
    const newer = {
      ...teamA({ quotas: { maxReplicasPerGateway: 20 } }),
      name: 'a-newer',
      creationTimestamp: '2026-11-22T10:00:05Z',
    };
    const gateway = example('MCPGGateway', { replicas: 7, autoscaling: undefined });
    for (const tenants of [
      [newer, older],
      [older, newer],
    ]) {
      const verdict = await verdictOf(gateway, { tenants });
      expect(verdict.message).toContain('the maxReplicasPerGateway of tenant team-a');
    }
  });

  it('admits a gateway within its tenant cap, and one whose namespace has no tenant', async () => {
    const gateway = example('MCPGGateway', {
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 },
    });
    expect(
      (await verdictOf(gateway, { tenants: [teamA({ quotas: { maxReplicasPerGateway: 6 } })] })).allowed,
    ).toBe(true);
    expect(
      (await verdictOf(example('MCPGGateway', { replicas: 50, autoscaling: undefined }), {})).allowed,
    ).toBe(true);
  });

  it.each([
    { name: 'by wildcard', allowed: [{ name: '*' }], refused: [] },
    {
      name: 'by plugin id, resource name and registry prefix',
      allowed: [
        { name: 'dev.mcpg.identity.workload' },
        { name: 'policy-opa-0-9-0' },
        { registryPrefix: 'ghcr.io/mcpg-dev/' },
      ],
      refused: [],
    },
    { name: 'by registry prefix only', allowed: [{ registryPrefix: 'ghcr.io/mcpg-dev/' }], refused: [1] },
    { name: 'with an empty allowlist', allowed: [], refused: [0, 1, 2] },
  ])('applies the tenant plugin allowlist $name', async ({ allowed, refused }) => {
    const cluster = { tenants: [teamA({ allowedPlugins: allowed })], plugins: allPlugins };
    const verdict = await verdictOf(example('MCPGPluginSet'), cluster);
    expect(verdict.allowed).toBe(refused.length === 0);
    for (const index of refused) {
      expect(verdict.message).toContain(`spec.entries[${index}].pluginRef names`);
    }
    if (refused.length > 0)
      expect(verdict.message).toContain("add it to that MCPGTenant's spec.allowedPlugins");
  });

  it('refuses an entry whose id differs from the plugin it references, and warns about a missing plugin', async () => {
    const plugins = [
      plugin('identity-workload-1-2-3', 'dev.mcpg.identity.other'),
      plugin('audit-stdout-1-0-0', 'dev.mcpg.audit.stdout'),
    ];
    const verdict = await verdictOf(example('MCPGPluginSet'), { plugins });
    expect(verdict.message).toBe(
      'spec.entries[0].id must equal spec.pluginId of MCPGPlugin identity-workload-1-2-3 (dev.mcpg.identity.other) (got "dev.mcpg.identity.workload")',
    );
    expect(verdict.warnings.join('\n')).toContain(
      'spec.entries[1].pluginRef: MCPGPlugin policy-opa-0-9-0 does not exist yet',
    );
  });

  it('refuses a tenant that claims a namespace of another tenant', async () => {
    const cluster = { tenants: [{ name: 'team-b', spec: { namespaces: ['team-a-staging'] } }] };
    const verdict = await verdictOf(example('MCPGTenant'), cluster);
    expect(verdict.message).toBe(
      'spec.namespaces[1] already belongs to tenant team-b (got "team-a-staging"); remove it there first',
    );
    // Updating a tenant does not collide with its own earlier version.
    const self = { tenants: [{ name: 'team-a', spec: { namespaces: ['team-a'] } }] };
    expect((await verdictOf(example('MCPGTenant'), self)).allowed).toBe(true);
  });

  it.each([
    { name: 'accepts the route namespace', accepted: ['team-a'], allowed: true },
    { name: 'does not accept it', accepted: ['team-b'], allowed: false },
  ])(
    'binds a route to a gateway in another namespace only when the gateway $name',
    async ({ accepted, allowed }) => {
      const gateway = {
        namespace: 'mcpg',
        name: 'gw',
        spec: { ...example('MCPGGateway').spec, acceptedRouteNamespaces: accepted },
      };
      const verdict = await verdictOf(example('MCPGRoute'), { gateways: [gateway as never] });
      expect(verdict.allowed).toBe(allowed);
      if (!allowed) {
        expect(verdict.message).toBe(
          'spec.gatewayRef names MCPGGateway mcpg/gw, which does not accept routes from namespace team-a; add team-a to its spec.acceptedRouteNamespaces',
        );
      }
    },
  );

  it('fails closed when the tenant lookup fails, unless the lookup policy is Ignore', async () => {
    const closed = await verdictOf(example('MCPGGateway'), { unreachable: true });
    expect(closed).toMatchObject({ allowed: false, code: 503 });
    expect(closed.message).toMatch(
      /^could not read namespaces from the API server: connect ECONNREFUSED; retry/,
    );
    const open = await decide(review(example('MCPGGateway')), 'MCPGGateway', {
      lookups: fakeLookups({ unreachable: true }),
      lookupFailurePolicy: 'Ignore',
      privilegedGroups: [],
      policy: OPEN_POLICY,
    });
    expect(open.allowed).toBe(true);
    expect(open.warnings[0]).toMatch(/^cross-object checks skipped: could not read/);
  });

  it('skips field checks in a skip-validation namespace but still enforces the tenant cap', async () => {
    const labels = { namespaceLabels: { mcpg: { 'mcpg.dev/skip-validation': 'true' } } };
    // (The CRD schema still refuses this before any webhook is called; the label only affects the webhook.)
    const invalid = example('MCPGGateway', { replicas: 0 });
    expect((await verdictOf(invalid, labels)).allowed).toBe(true);
    const capped = { ...labels, tenants: [teamA({ quotas: { maxReplicasPerGateway: 2 } })] };
    expect((await verdictOf(example('MCPGGateway', { autoscaling: undefined }), capped)).allowed).toBe(false);
  });

  it.each(['false', '', 'yes'])(
    'keeps field checks on when the skip-validation label is %j',
    async (value) => {
      const labels = { namespaceLabels: { mcpg: { 'mcpg.dev/skip-validation': value } } };
      expect(await verdictOf(example('MCPGGateway', { replicas: 0 }), labels)).toMatchObject({
        allowed: false,
        code: 422,
      });
    },
  );

  it('still checks the user’s rights on a spec the schema refuses in a skip-validation namespace', async () => {
    const labels = { namespaceLabels: { mcpg: { 'mcpg.dev/skip-validation': 'true' } } };
    const exposed = example('MCPGGateway', { replicas: 0, service: { type: 'LoadBalancer' } });
    expect((await verdictOf(exposed, labels)).message).toContain(
      'spec.service.type names Service type LoadBalancer',
    );
  });

  it('lets only privileged groups set or clear the skip-validation label on a namespace', async () => {
    const namespace = (labels: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', labels },
    });
    const request = (groups: string[]): AdmissionRequest => ({
      uid: 'u',
      kind: { group: '', version: 'v1', kind: 'Namespace' },
      name: 'team-a',
      operation: 'UPDATE',
      userInfo: { username: 'u', groups },
      object: namespace({ 'mcpg.dev/skip-validation': 'true' }),
      oldObject: namespace({}),
    });
    const context = {
      lookups: fakeLookups({}),
      lookupFailurePolicy: 'Fail' as const,
      privilegedGroups: ['system:masters'],
      policy: OPEN_POLICY,
    };
    const tenant = await decide(request(['team-a']), 'Namespace', context);
    expect(tenant).toMatchObject({ allowed: false, code: 403 });
    expect(tenant.message).toContain(
      'metadata.labels["mcpg.dev/skip-validation"] may be set or removed only by members of system:masters',
    );
    expect((await decide(request(['system:masters']), 'Namespace', context)).allowed).toBe(true);
  });

  it('admits deletes and refuses an object sent to another kind’s path', async () => {
    expect(
      (await verdictOf(example('MCPGGateway', { replicas: 0 }), {}, { operation: 'DELETE' })).allowed,
    ).toBe(true);
    const wrongPath = await decide(review(example('MCPGRoute')), 'MCPGGateway', {
      lookups: fakeLookups({}),
      lookupFailurePolicy: 'Fail',
      privilegedGroups: [],
      policy: OPEN_POLICY,
    });
    expect(wrongPath).toMatchObject({
      allowed: false,
      code: 400,
      message: 'this webhook path validates mcpg.dev/MCPGGateway, not mcpg.dev/MCPGRoute',
    });
  });
});
