import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { buildWebhookConfiguration } from '@mcpg-functions/admission/webhook-configuration';
import { apiStatus, kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { example, type Manifest } from '../../fixtures/examples.ts';
import { startAdmission, type RunningAdmission } from '../support/admission.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { create, installCrds } from '../support/crds.ts';
import { optInNamespace } from '../support/tenant-namespaces.ts';

// The real path: kube-apiserver calls the admission function over TLS for every write, and refuses
// what it refuses with its message.
describe('the admission webhook, called by the real API server', () => {
  const kube = clients();
  const home = useNamespace('webhook-home');
  const away = useNamespace('webhook-away');
  const run = home.name.split('-').pop() ?? 'x';
  const laneLabel = { 'mcpg.dev/webhook-test': run };
  const webhookName = `mcpg-test-${run}`;
  let admission: RunningAdmission;

  /** Test objects carry the lane label, so this webhook sees only them; cluster-scoped names get the run id. */
  function inLane(manifest: Manifest, namespace?: string): Manifest {
    const copy = structuredClone(manifest);
    copy.metadata = { ...copy.metadata, labels: laneLabel };
    if (copy.metadata.namespace !== undefined) copy.metadata.namespace = namespace ?? home.name;
    else copy.metadata.name = `${copy.metadata.name}-${run}`;
    return copy;
  }

  const webhookConfigurations = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`;

  beforeAll(async () => {
    await installCrds(kube);
    await optInNamespace(kube, away.name);
    const workDir = path.join(inject('clusterRunDir'), `admission-${run}`);
    await mkdir(workDir, { recursive: true });
    admission = await startAdmission({ kubeconfig: kube.kubeconfigPath, workDir });
    const configuration = buildWebhookConfiguration({
      name: webhookName,
      target: { url: admission.baseUrl, caBundle: admission.caBundle },
      objectSelector: { matchLabels: laneLabel },
    });
    await kubeRequest(kube.config, { method: 'POST', path: webhookConfigurations, body: configuration });
    // The API server loads a new webhook configuration asynchronously: wait until it calls ours (a dry-run
    // write that only the webhook refuses).
    const plaintext = example('MCPGCluster', { config: { url: 'redis://redis:6379' } });
    await vi.waitFor(
      async () => {
        expect(await attempt(plaintext, undefined, true)).toBeDefined();
      },
      {
        timeout: 20_000,
        interval: 250,
      },
    );
  }, 90_000);

  afterAll(async () => {
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `${webhookConfigurations}/${webhookName}`,
    }).catch(() => undefined);
    await admission.stop();
  });

  /** Creates the object; resolves with the API server's refusal message, or undefined when it was stored. */
  async function attempt(
    manifest: Manifest,
    namespace?: string,
    dryRun = false,
  ): Promise<string | undefined> {
    try {
      await create(kube, inLane(manifest, namespace), dryRun);
      return undefined;
    } catch (error) {
      if (apiStatus(error) === undefined) throw error;
      return (JSON.parse((error as { body: string }).body) as { message: string }).message;
    }
  }

  const denied = (kind: string, message: string) =>
    `admission webhook "${kind.toLowerCase()}s.mcpg.dev" denied the request: ${message}`;

  it('admits a valid gateway', async () => {
    expect(await attempt(example('MCPGGateway'))).toBeUndefined();
  });

  it('refuses a server whose children would take the names of an existing gateway’s, and a dotted name', async () => {
    const server = (name: string): Manifest => {
      const manifest = example('MCPGServer');
      return { ...manifest, metadata: { ...manifest.metadata, name } };
    };
    expect(await attempt(server('gw'))).toBe(
      denied(
        'MCPGServer',
        `metadata.name MCPGServer gw would need Service gw, Ingress gw, NetworkPolicy gw, which MCPGGateway gw in namespace ${home.name} already uses; choose another name`,
      ),
    );
    // The CRD's own rule: it holds even with the webhook down.
    expect(await attempt(server('tools.v2'))).toContain(
      'metadata.name must be lower-case letters, digits and "-" (no "."), since the Services and other children are named after it',
    );
  });

  it('refuses a cluster backend that would talk plaintext (a rule only the webhook knows)', async () => {
    const message = await attempt(example('MCPGCluster', { config: { url: 'redis://redis:6379' } }));
    expect(message).toBe(
      denied(
        'MCPGCluster',
        'spec.config would send coordination traffic in plaintext: config.url uses redis:// (use rediss://), or set allow_insecure_transport: true',
      ),
    );
  });

  it('enforces a tenant: one owner per namespace, the replica cap on create and update, the plugin allowlist', async () => {
    const tenant = example('MCPGTenant', {
      namespaces: [away.name],
      quotas: { maxReplicasPerGateway: 3 },
      allowedPlugins: [{ name: 'dev.mcpg.identity.workload' }],
    });
    expect(await attempt(tenant)).toBeUndefined();

    const rival = { ...example('MCPGTenant', { namespaces: [away.name] }), metadata: { name: 'rival' } };
    expect(await attempt(rival as Manifest)).toBe(
      denied(
        'MCPGTenant',
        `spec.namespaces[0] already belongs to tenant team-a-${run} (got "${away.name}"); remove it there first`,
      ),
    );

    await vi.waitFor(
      async () => {
        expect(
          await attempt(example('MCPGGateway', { replicas: 5, autoscaling: undefined }), away.name, true),
        ).toBe(
          denied(
            'MCPGGateway',
            `spec.replicas must be at most 3, the maxReplicasPerGateway of tenant team-a-${run} (got 5); lower it or raise the tenant's quota`,
          ),
        );
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(
      await attempt(example('MCPGGateway', { replicas: 2, autoscaling: undefined }), away.name),
    ).toBeUndefined();

    const path = `/apis/mcpg.dev/v1alpha2/namespaces/${away.name}/mcpggateways/gw`;
    const scaleUp = kubeRequest(kube.config, {
      method: 'PATCH',
      path,
      body: { spec: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 8 } } },
      contentType: 'application/merge-patch+json',
    });
    await expect(scaleUp).rejects.toThrow(/spec\.autoscaling\.maxReplicas must be at most 3/);

    // The webhook's tenant cache follows the API server within moments; dry runs until it has caught up.
    const pluginSet = await vi.waitFor(
      async () => {
        const message = await attempt(example('MCPGPluginSet'), away.name, true);
        expect(message).toBeDefined();
        return message ?? '';
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(pluginSet).toContain(
      'spec.entries[1].pluginRef names policy-opa-0-9-0 (dev.mcpg.policy.opa), which tenant',
    );
    expect(pluginSet).not.toContain('spec.entries[0]');
  });

  it('binds a route across namespaces only when the gateway accepts it', async () => {
    const route = example('MCPGRoute', { gatewayRef: { name: 'gw', namespace: home.name } });
    expect(await attempt(route, away.name)).toBe(
      denied(
        'MCPGRoute',
        `spec.gatewayRef names MCPGGateway ${home.name}/gw, which does not accept routes from namespace ${away.name}; add ${away.name} to its spec.acceptedRouteNamespaces`,
      ),
    );
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${home.name}/mcpggateways/gw`,
      body: { spec: { acceptedRouteNamespaces: [away.name] } },
      contentType: 'application/merge-patch+json',
    });
    expect(await attempt(route, away.name)).toBeUndefined();
  });

  it('lets only cluster administrators set the skip-validation label on a namespace', async () => {
    // A tenant admin who may edit namespaces (RBAC) still may not exempt theirs from validation.
    const user = `tenant-admin-${run}`;
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    await kubeRequest(kube.config, {
      method: 'POST',
      path: `${rbac}/clusterroles`,
      body: {
        metadata: { name: user },
        rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'patch'] }],
      },
    });
    await kubeRequest(kube.config, {
      method: 'POST',
      path: `${rbac}/clusterrolebindings`,
      body: {
        metadata: { name: user },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });
    const label = (headers: Record<string, string>) =>
      kubeRequest(kube.config, {
        method: 'PATCH',
        path: `/api/v1/namespaces/${away.name}`,
        body: { metadata: { labels: { ...laneLabel, 'mcpg.dev/skip-validation': 'true' } } },
        contentType: 'application/merge-patch+json',
        headers,
      });
    await vi.waitFor(
      () =>
        expect(label({ 'Impersonate-User': user })).rejects.toThrow(
          /denied the request: metadata\.labels\["mcpg\.dev\/skip-validation"\] may be set or removed only by members of system:masters/,
        ),
      { timeout: 10_000, interval: 250 },
    );
    await expect(label({})).resolves.toBeDefined();
    await kubeRequest(kube.config, { method: 'DELETE', path: `${rbac}/clusterrolebindings/${user}` });
    await kubeRequest(kube.config, { method: 'DELETE', path: `${rbac}/clusterroles/${user}` });
  });
});
