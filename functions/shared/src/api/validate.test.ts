import { describe, expect, it } from 'vitest';
import { example, loadExamples } from '../../../../test/fixtures/examples.ts';
import { describeError } from './field-errors.ts';
import { validateManifest } from './validate.ts';

const messages = (manifest: unknown) => validateManifest(manifest).errors.map(describeError);

describe('validateManifest', () => {
  it.each(loadExamples().map((m) => [`${m.kind} ${m.metadata.name}`, m] as const))(
    'accepts the example %s',
    (_, m) => {
      expect(messages(m)).toEqual([]);
    },
  );

  it('accepts a MCPG v1alpha1 gateway once its apiVersion says v1alpha2', () => {
    const fromMcpg = {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGGateway',
      metadata: { name: 'payments', namespace: 'payments' },
      spec: {
        image: { tag: 'v1.2.0' },
        replicas: 2,
        config: { gateway: { server: { bind_address: '0.0.0.0:8787' } } },
        pluginSetRef: { name: 'payments-plugins' },
        clusterRef: { name: 'prod-redis' },
        acceptedRouteNamespaces: ['team-a', 'team-b'],
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
      },
    };
    expect(messages(fromMcpg)).toEqual([]);
  });

  it('applies schema defaults to the parsed spec', () => {
    const parsed = validateManifest(example('MCPGServer', { replicas: undefined, port: undefined })).parsed;
    expect(parsed?.spec).toMatchObject({
      replicas: 1,
      port: 8080,
      path: '/mcp',
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
  });

  const refused: { name: string; manifest: unknown; error: string }[] = [
    {
      name: 'zero replicas',
      manifest: example('MCPGGateway', { replicas: 0 }),
      error: 'spec.replicas must be at least 1 (got 0)',
    },
    {
      name: 'a misspelt field',
      manifest: example('MCPGGateway', { replcas: 2 }),
      error: 'spec.replcas is not a known field; remove it or check its spelling',
    },
    {
      name: 'a missing config',
      manifest: example('MCPGGateway', { config: undefined }),
      error: 'spec.config is required',
    },
    {
      name: 'ingress and cloud together',
      manifest: example('MCPGGateway', {
        ingress: {
          ingressClassName: 'nginx',
          hosts: [{ host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
        },
        cloud: { orgSlug: 'acme', instanceSlug: 'prod', externalUrl: 'https://mcp.example.com' },
      }),
      error: 'spec set ingress or cloud, not both',
    },
    {
      name: 'two workload identity providers',
      manifest: example('MCPGGateway', {
        workloadIdentity: { aws: { iamRoleArn: 'arn' }, gcp: { googleServiceAccount: 'sa' } },
      }),
      error: 'spec.workloadIdentity set at most one workload identity provider (aws, gcp, azure or spiffe)',
    },
    {
      name: 'a misspelt nested field',
      manifest: example('MCPGGateway', { service: { prot: 8080 } }),
      error: 'spec.service.prot is not a known field; remove it or check its spelling',
    },
    {
      name: 'an autoscaler floor above its ceiling',
      manifest: example('MCPGGateway', { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } }),
      error: 'spec.autoscaling minReplicas must not exceed maxReplicas',
    },
    {
      name: 'a duplicate plugin-set entry id',
      manifest: example('MCPGPluginSet', {
        entries: [
          { id: 'a.b', pluginRef: { name: 'x' } },
          { id: 'a.b', pluginRef: { name: 'y' } },
        ],
        capabilityGrants: undefined,
      }),
      error: 'spec.entries[1].id is listed twice (got "a.b")',
    },
    {
      name: 'a grant for a plugin that is not an entry',
      manifest: example('MCPGPluginSet', { capabilityGrants: { 'x.y': ['metric_emit'] } }),
      error: 'spec every capabilityGrants key must be the id of an entry',
    },
    {
      name: 'an argument-taking capability',
      manifest: example('MCPGPluginSet', { capabilityGrants: { 'dev.mcpg.audit.stdout': ['secrets_read'] } }),
      error: 'spec.capabilityGrants["dev.mcpg.audit.stdout"][0] must be one of',
    },
    {
      name: 'a plaintext redis URL',
      manifest: example('MCPGCluster', { config: { url: '  redis://redis:6379' } }),
      error: 'spec.config would send coordination traffic in plaintext: config.url uses redis://',
    },
    {
      name: 'settings on a single_node cluster',
      manifest: example('MCPGCluster', { backend: 'single_node' }),
      error: 'spec.config must be empty for the single_node backend',
    },
    {
      name: 'a tag-only plugin image without keyless identity',
      manifest: example('MCPGPlugin', {
        oci: { image: 'ghcr.io/mcpg-dev/plugins/x:1.0.0' },
        trust: { signingKeyRef: { secretName: 'k' } },
      }),
      error: 'spec oci.image must be pinned by digest (@sha256:…) unless trust.cosignIdentity is set',
    },
    {
      name: 'an unanchored identity regexp',
      manifest: example('MCPGPlugin', {
        trust: {
          cosignIdentity: { certificateIdentityRegexp: 'github.com/.*', oidcIssuer: 'https://issuer' },
        },
      }),
      error:
        'spec.trust.cosignIdentity.certificateIdentityRegexp must be anchored: start with ^ and end with $',
    },
    {
      name: 'an identity regexp RE2 cannot run',
      manifest: example('MCPGPlugin', {
        trust: {
          cosignIdentity: { certificateIdentityRegexp: '^(?!evil).*$', oidcIssuer: 'https://issuer' },
        },
      }),
      error: 'certificateIdentityRegexp uses lookaround or a backreference',
    },
    {
      name: 'an unknown plugin class',
      manifest: example('MCPGPlugin', { pluginClass: 'tool-gate' }),
      error: 'spec.pluginClass must be one of "tool_gate"',
    },
    {
      name: 'a revocation with two targets',
      manifest: example('MCPGRevocationList', {
        revocations: [{ artifactSha256: 'a'.repeat(64), ociDigest: `sha256:${'b'.repeat(64)}`, reason: 'x' }],
      }),
      error:
        'spec.revocations[0] set exactly one of artifactSha256, ociDigest, signerIdentity or publicKeySha256',
    },
    {
      name: 'the same sha revoked twice in another case',
      manifest: example('MCPGRevocationList', {
        revocations: [
          { artifactSha256: 'a'.repeat(64), reason: 'x' },
          { artifactSha256: 'A'.repeat(64), reason: 'y' },
        ],
      }),
      error: 'spec.revocations[1].artifactSha256 is listed twice',
    },
    {
      name: 'a short sha',
      manifest: example('MCPGRevocationList', { revocations: [{ artifactSha256: 'abc', reason: 'x' }] }),
      error: 'spec.revocations[0].artifactSha256 must be 64 hexadecimal digits (a sha256) (got "abc")',
    },
    {
      name: 'mirror port 0',
      manifest: example('MCPGPluginMirror', {
        endpoint: { service: { namespace: 'r', name: 'h', port: 0 } },
      }),
      error: 'spec.endpoint.service.port must be between 1 and 65535 (got 0)',
    },
    {
      name: 'a mirror upstream that is not a registry host',
      manifest: example('MCPGPluginMirror', { upstream: { registry: 'ghcr', namespace: 'x' } }),
      error: 'spec.upstream.registry must be a registry host',
    },
    {
      name: 'a tenant namespace listed twice',
      manifest: example('MCPGTenant', { namespaces: ['a', 'a'] }),
      error: 'spec.namespaces must not list a namespace twice',
    },
    {
      name: 'verify on a tag-only server image',
      manifest: example('MCPGServer', { verify: { cosignKeyRef: { secretName: 'k' } } }),
      error: 'spec verify needs image pinned by digest (@sha256:…)',
    },
    {
      name: 'an unknown transport',
      manifest: example('MCPGServer', { transport: 'websocket' }),
      error: 'spec.transport must be one of "streamable-http", "sse", "stdio" (got "websocket")',
    },
    {
      name: 'an instance with both a template and an image',
      manifest: example('MCPGInstance', { image: 'ghcr.io/x/y:1' }),
      error: 'spec set exactly one of serverTemplateRef or image',
    },
    {
      name: 'a malformed idle TTL',
      manifest: example('MCPGInstance', { idleTTL: '30 minutes' }),
      error: 'spec.idleTTL must be a duration such as 30m or 1h30m (got "30 minutes")',
    },
    {
      name: 'an unknown kind',
      manifest: { ...example('MCPGServer'), kind: 'MCPGWidget' },
      error: 'kind must be one of',
    },
    {
      name: 'MCPG’s own apiVersion',
      manifest: { ...example('MCPGServer'), apiVersion: 'mcpg.dev/v1alpha1' },
      error: 'apiVersion is MCPG’s mcpg.dev/v1alpha1; change it to mcpg.dev/v1alpha2'.replace('’', "'"),
    },
    { name: 'a list instead of an object', manifest: [1, 2], error: 'must be a Kubernetes object' },
    { name: 'null', manifest: null, error: 'must be a Kubernetes object' },
  ];

  it.each(refused)('refuses $name', ({ manifest, error }) => {
    expect(messages(manifest).join('\n')).toContain(error);
  });

  it('warns when a route grants its tools to everyone', () => {
    const result = validateManifest(example('MCPGRoute', { attributes: undefined }));
    expect(result.errors).toEqual([]);
    expect(result.warnings.join()).toContain('spec.attributes is empty');
  });
});
