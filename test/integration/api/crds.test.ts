import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { apiStatus } from '@mcpg-functions/shared/kube';
import { validateManifest } from '@mcpg-functions/shared/api';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { toolPath } from '../../cluster/tools.ts';
import { example, loadExamples, type Manifest } from '../../fixtures/examples.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, create, installCrds } from '../support/crds.ts';

// The API server is the first line of defence: it must enforce the schema's limits, defaults and CEL rules
// even with the webhook down, and agree with the offline validator on what is valid.
describe('the mcpg.dev/v1alpha2 CRDs on a real API server', () => {
  const namespace = useNamespace('api-crds');
  const kube = clients();
  const suffix = namespace.name.split('-').pop() ?? 'x';

  /** Examples go into the test's namespace; cluster-scoped ones get a name unique to this run. */
  function placed(manifest: Manifest): Manifest {
    const copy = structuredClone(manifest);
    if (copy.metadata.namespace !== undefined) copy.metadata.namespace = namespace.name;
    else copy.metadata.name = `${copy.metadata.name}-${suffix}`;
    return copy;
  }

  /** Creates the object; retries only while the new resource is not yet discoverable (404). */
  const submit = async (manifest: Manifest, write: typeof apply = create) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        return { stored: await write(kube, placed(manifest)), error: undefined };
      } catch (error) {
        if (apiStatus(error) !== 404 || Date.now() > deadline) return { stored: undefined, error };
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  beforeAll(async () => {
    await installCrds(kube);
  });

  it('serves kubectl explain from the schema descriptions', async () => {
    // kubectl reads the published OpenAPI, which follows a new CRD by a moment.
    const { stdout } = await vi.waitFor(
      () =>
        promisify(execFile)(toolPath('kubectl'), [
          `--kubeconfig=${kube.kubeconfigPath}`,
          '--cache-dir=' + path.join(inject('clusterRunDir'), 'kubectl-cache'),
          'explain',
          'mcpggateway.spec.pluginSetRef',
        ]),
      { timeout: 15_000, interval: 500 },
    );
    expect(stdout).toContain('VERSION:    v1alpha2');
    expect(stdout).toMatch(/MCPGPluginSet in the same namespace/);
  });

  it.each(loadExamples().map((m) => [`${m.kind} ${m.metadata.name}`, m] as const))(
    'stores the example %s with the same defaults the schemas apply',
    async (_, manifest) => {
      const { stored, error } = await submit(manifest, apply);
      expect(error).toBeUndefined();
      expect(stored?.spec).toEqual(validateManifest(manifest).parsed?.spec);
    },
  );

  const refusedByBoth: { name: string; manifest: Manifest; field: string; message?: string }[] = [
    {
      name: 'zero gateway replicas',
      manifest: example('MCPGGateway', { replicas: 0 }),
      field: 'spec.replicas',
    },
    {
      name: 'two workload identity providers',
      manifest: example('MCPGGateway', {
        workloadIdentity: { aws: { iamRoleArn: 'arn' }, gcp: { googleServiceAccount: 'sa' } },
      }),
      field: 'spec.workloadIdentity',
      message: 'set at most one workload identity provider',
    },
    {
      name: 'an autoscaler without a ceiling',
      manifest: example('MCPGGateway', { autoscaling: { enabled: true, minReplicas: 2 } }),
      field: 'spec.autoscaling',
      message: 'maxReplicas is required when autoscaling is enabled',
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
      field: 'spec.entries[1]',
    },
    {
      name: 'a grant for a plugin that is not an entry',
      manifest: example('MCPGPluginSet', { capabilityGrants: { 'x.y': ['metric_emit'] } }),
      field: 'spec',
      message: 'every capabilityGrants key must be the id of an entry',
    },
    {
      name: 'a tag-only plugin without keyless identity',
      manifest: example('MCPGPlugin', {
        oci: { image: 'ghcr.io/mcpg-dev/plugins/x:1.0.0' },
        trust: { signingKeyRef: { secretName: 'k' } },
      }),
      field: 'spec',
      message: 'oci.image must be pinned by digest',
    },
    {
      name: 'a revocation with two targets',
      manifest: example('MCPGRevocationList', {
        revocations: [{ artifactSha256: 'a'.repeat(64), ociDigest: `sha256:${'b'.repeat(64)}`, reason: 'x' }],
      }),
      field: 'spec.revocations[0]',
      message: 'set exactly one of artifactSha256, ociDigest, signerIdentity or publicKeySha256',
    },
    {
      name: 'verify on a tag-only server image',
      manifest: example('MCPGServer', { verify: { cosignKeyRef: { secretName: 'k' } } }),
      field: 'spec',
      message: 'verify needs image pinned by digest',
    },
    {
      name: 'an instance with both a template and an image',
      manifest: example('MCPGInstance', { image: 'ghcr.io/x/y:1' }),
      field: 'spec',
      message: 'set exactly one of serverTemplateRef or image',
    },
    {
      name: 'an unknown transport',
      manifest: example('MCPGServer', { transport: 'websocket' }),
      field: 'spec.transport',
    },
    {
      name: 'a tenant namespace listed twice',
      manifest: example('MCPGTenant', { namespaces: ['a', 'a'] }),
      field: 'spec.namespaces[1]',
    },
  ];

  it.each(refusedByBoth)(
    'refuses $name, as the offline validator does',
    async ({ manifest, field, message }) => {
      const offline = validateManifest(manifest).errors;
      expect(offline.length).toBeGreaterThan(0);
      if (message) expect(offline.map((e) => e.message).join('\n')).toContain(message);

      const { error } = await submit(manifest);
      expect(apiStatus(error)).toBe(422);
      const body = String((error as { body?: unknown }).body);
      expect(body).toContain(field);
      if (message) expect(body).toContain(message);
    },
  );
});
