import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { TENANT_LABEL, TENANT_OPT_IN_LABEL } from '@mcpg-functions/shared/api';
import { WATCHED } from '@mcpg-functions/shared/knative';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolPath } from '../../cluster/tools.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { guardLane, refusalAs, untilGuarded, type GuardedLane } from '../support/hostile-tenant.ts';

/** What kubectl printed: the API server turns the webhook's AdmissionReview warnings into `Warning:` lines. */
interface Applied {
  code: number;
  stderr: string;
}

// A tenant user names Secrets their server reads; the webhook, called by the real API server and running as its
// own ServiceAccount, tells them which ones will not be seen at once and what label to add, reading only the
// metadata of Secrets they may read themselves.
describe('warnings about Secrets whose changes wait for the resync', () => {
  const kube = clients();
  const held = useNamespace('unwatched-held');
  const loose = useNamespace('unwatched-loose');
  const home = useNamespace('unwatched-operator');
  const run = randomBytes(3).toString('hex');
  const alice = { username: `alice-${run}`, groups: ['system:authenticated'] };
  let lane: GuardedLane;

  function server(name: string, namespace: string, spec: Record<string, unknown>) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name, namespace, labels: lane.labels },
      spec: { image: `ghcr.io/example/tools@sha256:${'c'.repeat(64)}`, ...spec },
    };
  }

  /** `kubectl apply` as alice, as a user would run it. */
  function applyAs(manifest: object): Promise<Applied> {
    const args = [
      `--kubeconfig=${kube.kubeconfigPath}`,
      `--as=${alice.username}`,
      ...alice.groups.map((g) => `--as-group=${g}`),
      'apply',
      '-f',
      '-',
    ];
    return new Promise((resolve) => {
      const child = execFile(toolPath('kubectl'), args, (error, _stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stderr });
      });
      child.stdin?.end(JSON.stringify(manifest));
    });
  }

  const secret = (namespace: string, name: string, labels: Record<string, string> = {}) =>
    kube.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name, labels }, stringData: { TOKEN: 'x' } },
    });

  beforeAll(async () => {
    await installCrds(kube);
    lane = await guardLane(kube, { namespace: home.name, run, env: { MCPG_OPERATOR_NAMESPACE: home.name } });
    // As the tenant function leaves a namespace it holds; the other one no tenant holds.
    await kubeRequest(kube.config, {
      method: 'PATCH',
      path: `/api/v1/namespaces/${held.name}`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { [TENANT_OPT_IN_LABEL]: 'true', [TENANT_LABEL]: `team-${run}` } } },
    });
    await kubeRequest(kube.config, {
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      body: {
        metadata: { name: `mcpg-servers-${run}` },
        rules: [
          {
            apiGroups: ['mcpg.dev'],
            resources: ['mcpgservers'],
            verbs: ['get', 'list', 'create', 'patch', 'update'],
          },
          // Two Secrets alice may read; `hidden` she may not.
          { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['plain', 'labelled'] },
        ],
      },
    });
    for (const namespace of [held.name, loose.name]) {
      await kubeRequest(kube.config, {
        method: 'POST',
        path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
        body: {
          metadata: { name: `alice-${run}` },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: `mcpg-servers-${run}`,
          },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: alice.username }],
        },
      });
      await secret(namespace, 'plain');
      await secret(namespace, 'labelled', WATCHED);
      await secret(namespace, 'hidden');
    }
    // A server naming a Secret alice may not read is refused once the webhook is called for the lane.
    await untilGuarded(() =>
      refusalAs(kube, alice, {
        method: 'POST',
        path: `/apis/mcpg.dev/v1alpha2/namespaces/${held.name}/mcpgservers?dryRun=All`,
        body: server('probe', held.name, { envFromSecrets: ['hidden'] }),
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await lane.stop();
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/apis/rbac.authorization.k8s.io/v1/clusterroles/mcpg-servers-${run}`,
    }).catch(() => undefined);
  });

  it('names an unlabelled Secret a server newly reads, the field and the label to add, and admits the server', async () => {
    const applied = await applyAs(
      server('tools', held.name, {
        envFrom: [{ secretRef: { name: 'plain' } }, { secretRef: { name: 'labelled' } }],
      }),
    );
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      'Warning: spec.envFrom[0].secretRef: Secret plain lacks label mcpg.dev/watch=true; its changes wait for the resync',
    );
    expect(applied.stderr).not.toContain('Secret labelled');
    // Applying it again names nothing new: no warning.
    const again = await applyAs(
      server('tools', held.name, {
        envFrom: [{ secretRef: { name: 'plain' } }, { secretRef: { name: 'labelled' } }],
        replicas: 2,
      }),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('lacks label');
  });

  it('says that in a namespace no tenant holds even labelled Secrets wait for the resync', async () => {
    const applied = await applyAs(server('tools', loose.name, { envFromSecrets: ['labelled'] }));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      `Warning: no MCPGTenant holds namespace ${loose.name}: changes to the Secrets and ConfigMaps named here wait for the resync`,
    );
  });

  it('tells nothing about a Secret the user may not read: the server is refused for it instead', async () => {
    const refused = await applyAs(server('peek', held.name, { envFromSecrets: ['hidden'] }));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `spec.envFromSecrets[0] names Secret "hidden", but user "${alice.username}" may not get`,
    );
    expect(refused.stderr).not.toContain('lacks label');
  });
});
