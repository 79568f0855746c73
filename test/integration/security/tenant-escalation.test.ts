import { randomBytes } from 'node:crypto';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import {
  fenceTenant,
  guardLane,
  refusalAs,
  untilGuarded,
  type GuardedLane,
  type Identity,
} from '../support/hostile-tenant.ts';
import { optInNamespace } from '../support/tenant-namespaces.ts';

type Spec = Record<string, unknown>;

// Hostile tenant users, impersonated through the real API server and holding only the Role the tenant function
// grants, try to reach through the functions' cluster-wide rights what they could not touch themselves: every
// attempt is refused by the webhook (called by the API server over TLS) with the field it is about, and nothing
// they were refused is stored.
describe('a hostile tenant user, through the real API server', () => {
  const kube = clients();
  const team = useNamespace('sec-team');
  const rival = useNamespace('sec-rival');
  const home = useNamespace('sec-operator');
  const run = randomBytes(3).toString('hex');
  const tenantName = `team-${run}`;
  const mallory: Identity = {
    username: `mallory-${run}`,
    uid: `uid-${run}`,
    groups: [`mcpg.dev:tenant:${tenantName}`, 'system:authenticated'],
    extra: { 'idp-session': ['s-1'] },
  };
  const admin: Identity = { username: 'root', groups: ['system:masters', 'system:authenticated'] };
  let lane: GuardedLane;

  const collection = (namespace: string, plural: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace}/${plural}`;

  function object(kind: string, name: string, spec: Spec, namespace = team.name) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind,
      metadata: { name, namespace, labels: lane.labels },
      spec,
    };
  }

  const server = (name: string, spec: Spec, namespace = team.name) =>
    object('MCPGServer', name, { image: 'ghcr.io/example/tools:1.0.0', ...spec }, namespace);
  const gateway = (name: string, spec: Spec) => object('MCPGGateway', name, { config: {}, ...spec });

  function createAs(who: Identity, manifest: ReturnType<typeof object>, dryRun = false) {
    const plural = `${manifest.kind.toLowerCase()}s`;
    return refusalAs(kube, who, {
      method: 'POST',
      path: `${collection(manifest.metadata.namespace, plural)}${dryRun ? '?dryRun=All' : ''}`,
      body: manifest,
    });
  }

  const denied = (kind: string, message: string) =>
    `admission webhook "${kind.toLowerCase()}s.mcpg.dev" denied the request: ${message}`;
  const cannot = (right: string) =>
    `but user "${mallory.username}" may not ${right} in namespace ${team.name} themselves; use one you may, or ask an administrator for that right`;

  beforeAll(async () => {
    await installCrds(kube);
    lane = await guardLane(kube, {
      namespace: home.name,
      run,
      env: { MCPG_OPERATOR_NAMESPACE: home.name, MCPG_INGRESS_CLASSES: 'public' },
    });
    // What the namespace holds that the tenant may not touch: a privileged ServiceAccount and a Secret.
    await kube.core.createNamespacedServiceAccount({
      namespace: team.name,
      body: { metadata: { name: 'deployer' } },
    });
    await kube.core.createNamespacedSecret({
      namespace: team.name,
      body: { metadata: { name: 'db-credentials' }, stringData: { password: 'hunter2' } },
    });
    await optInNamespace(kube, team.name);
    const tenant = await kubeRequest<Parameters<typeof fenceTenant>[1]>(kube.config, {
      method: 'POST',
      path: '/apis/mcpg.dev/v1alpha2/mcpgtenants',
      body: {
        apiVersion: 'mcpg.dev/v1alpha2',
        kind: 'MCPGTenant',
        metadata: { name: tenantName, labels: lane.labels },
        spec: { namespaces: [team.name] },
      },
    });
    await fenceTenant(kube, tenant, [team.name]);
    // Another team already serves a host.
    const shop = server(
      'shop',
      { ingress: { className: 'public', host: `shop-${run}.example.com` } },
      rival.name,
    );
    // Right after the CRDs are installed the API server may still be initializing their storage (429): retry.
    await vi.waitFor(
      async () => {
        expect(await createAs(admin, shop)).toBeUndefined();
      },
      { timeout: 20_000, interval: 500 },
    );
    await untilGuarded(() =>
      createAs(
        admin,
        server('probe', { ingress: { annotations: { 'x/server-snippet': 'deny all;' } } }),
        true,
      ),
    );
  }, 90_000);

  afterAll(async () => {
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/apis/mcpg.dev/v1alpha2/mcpgtenants/${tenantName}`,
    }).catch(() => undefined);
    await lane.stop();
  });

  it('may run a server of its own: the Role and the webhook let an ordinary one through', async () => {
    expect(await createAs(mallory, server('plain', {}))).toBeUndefined();
  });

  it.each([
    {
      attempt: 'run pods as a ServiceAccount of the namespace',
      spec: { serviceAccountName: 'deployer' },
      message: `spec.serviceAccountName names ServiceAccount "deployer", ${cannot('impersonate serviceaccounts "deployer"')}`,
    },
    {
      attempt: 'read a Secret through envFromSecrets',
      spec: { envFromSecrets: ['db-credentials'] },
      message: `spec.envFromSecrets[0] names Secret "db-credentials", ${cannot('get secrets "db-credentials"')}`,
    },
    {
      attempt: 'read a Secret through envFrom',
      spec: { envFrom: [{ secretRef: { name: 'db-credentials' } }] },
      message: `spec.envFrom[0].secretRef.name names Secret "db-credentials", ${cannot('get secrets "db-credentials"')}`,
    },
    {
      attempt: 'use a Secret as an image pull secret',
      spec: { imagePullSecrets: [{ name: 'db-credentials' }] },
      message: `spec.imagePullSecrets[0].name names Secret "db-credentials", ${cannot('get secrets "db-credentials"')}`,
    },
    {
      attempt: 'serve another team’s TLS Secret',
      spec: { ingress: { className: 'public', tls: { secretName: 'db-credentials' } } },
      message: `spec.ingress.tls.secretName names Secret "db-credentials", ${cannot('get secrets "db-credentials"')}`,
    },
    {
      attempt: 'inject controller configuration',
      spec: {
        ingress: {
          className: 'public',
          annotations: {
            'nginx.ingress.kubernetes.io/configuration-snippet': 'proxy_pass http://kube-apiserver;',
          },
        },
      },
      message:
        'spec.ingress.annotations["nginx.ingress.kubernetes.io/configuration-snippet"] matches the denied pattern "*snippet*", so the operator does not let MCPG objects set it; remove it, or ask the operator to allow it',
    },
    {
      attempt: 'point external auth at its own endpoint',
      spec: {
        ingress: {
          className: 'public',
          annotations: { 'nginx.ingress.kubernetes.io/auth-url': 'http://attacker.example/allow' },
        },
      },
      message:
        'spec.ingress.annotations["nginx.ingress.kubernetes.io/auth-url"] matches the denied pattern "*/auth-url", so the operator does not let MCPG objects set it; remove it, or ask the operator to allow it',
    },
    {
      attempt: 'use an IngressClass the operator does not offer',
      spec: { ingress: { className: 'internal-admin' } },
      message:
        'spec.ingress.className must be one of the IngressClasses the operator allows: public (got "internal-admin")',
    },
  ])('cannot $attempt with an MCPGServer', async ({ spec, message }) => {
    expect(await createAs(mallory, server('escalation', spec))).toBe(denied('MCPGServer', message));
  });

  it('cannot take over a host another namespace serves', async () => {
    const host = `shop-${run}.example.com`;
    expect(await createAs(mallory, server('phish', { ingress: { className: 'public', host } }))).toBe(
      denied(
        'MCPGServer',
        `spec.ingress.host is already served for namespace ${rival.name} (got "${host}"); choose another host, or have it released there first`,
      ),
    );
    const wildcard = await createAs(
      mallory,
      server('phish', { ingress: { className: 'public', host: '*.example.com' } }),
    );
    expect(wildcard).toContain(`spec.ingress.host is already served for namespace ${rival.name}`);
  });

  it.each([
    {
      attempt: 'expose the namespace through a LoadBalancer',
      spec: { service: { type: 'LoadBalancer' } },
      message: `spec.service.type names Service type LoadBalancer, ${cannot('create services')}`,
    },
    {
      attempt: 'open a NodePort',
      spec: { service: { type: 'NodePort' } },
      message: `spec.service.type names Service type NodePort, ${cannot('create services')}`,
    },
    {
      attempt: 'annotate its Service for the cloud load balancer',
      spec: {
        service: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'false' } },
      },
      message: `spec.service.annotations names Service annotations, ${cannot('create services')}`,
    },
    {
      attempt: 'read a Secret as the gateway’s pull secret',
      spec: { imagePullSecrets: [{ name: 'db-credentials' }] },
      message: `spec.imagePullSecrets[0].name names Secret "db-credentials", ${cannot('get secrets "db-credentials"')}`,
    },
  ])('cannot $attempt with an MCPGGateway', async ({ spec, message }) => {
    expect(await createAs(mallory, gateway('escalation', spec))).toBe(denied('MCPGGateway', message));
  });

  it('cannot create instances, tenants or Secrets at all: the tenant Role does not grant them', async () => {
    const instance = object('MCPGInstance', 'borrow', {
      serverTemplateRef: { name: 'plain' },
      subjectKey: 'x',
    });
    expect(await createAs(mallory, instance)).toMatch(/mcpginstances.mcpg.dev is forbidden: User "mallory-/);
    const claim = await refusalAs(kube, mallory, {
      method: 'POST',
      path: '/apis/mcpg.dev/v1alpha2/mcpgtenants',
      body: {
        apiVersion: 'mcpg.dev/v1alpha2',
        kind: 'MCPGTenant',
        metadata: { name: `grab-${run}` },
        spec: { namespaces: ['kube-system'] },
      },
    });
    expect(claim).toMatch(/mcpgtenants.mcpg.dev is forbidden/);
  });

  it('keeps a reference an administrator made when the tenant edits something else, and refuses a new one', async () => {
    expect(await createAs(admin, server('admin-made', { serviceAccountName: 'deployer' }))).toBeUndefined();
    const path = `${collection(team.name, 'mcpgservers')}/admin-made`;
    const patch = (spec: Spec) =>
      refusalAs(kube, mallory, {
        method: 'PATCH',
        path,
        contentType: 'application/merge-patch+json',
        body: { spec },
      });
    expect(await patch({ replicas: 2 })).toBeUndefined();
    expect(await patch({ serviceAccountName: 'default' })).toBe(
      denied(
        'MCPGServer',
        `spec.serviceAccountName names ServiceAccount "default", ${cannot('impersonate serviceaccounts "default"')}`,
      ),
    );
  });

  it('stored nothing it refused', async () => {
    const list = (plural: string) =>
      kubeRequest<{ items: { metadata: { name: string } }[] }>(kube.config, {
        method: 'GET',
        path: collection(team.name, plural),
      });
    const names = async (plural: string) => (await list(plural)).items.map((i) => i.metadata.name).sort();
    expect(await names('mcpgservers')).toEqual(['admin-made', 'plain']);
    expect(await names('mcpggateways')).toEqual([]);
    expect(await names('mcpginstances')).toEqual([]);
  });
});

// Whoever may write MCPGTenants still cannot fence namespaces that are not theirs to hand out.
describe('a delegated tenant administrator, through the real API server', () => {
  const kube = clients();
  const home = useNamespace('sec-operator');
  const unlabelled = useNamespace('sec-plain');
  const run = randomBytes(3).toString('hex');
  const delegate: Identity = { username: `tenant-admin-${run}`, groups: ['system:authenticated'] };
  const role = `mcpg-tenant-admin-${run}`;
  let lane: GuardedLane;

  const claim = (namespaces: string[], dryRun = false) =>
    refusalAs(kube, delegate, {
      method: 'POST',
      path: `/apis/mcpg.dev/v1alpha2/mcpgtenants${dryRun ? '?dryRun=All' : ''}`,
      body: {
        apiVersion: 'mcpg.dev/v1alpha2',
        kind: 'MCPGTenant',
        metadata: { name: `grab-${run}`, labels: lane.labels },
        spec: { namespaces },
      },
    });

  beforeAll(async () => {
    await installCrds(kube);
    lane = await guardLane(kube, { namespace: home.name, run, env: { MCPG_OPERATOR_NAMESPACE: home.name } });
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    await kubeRequest(kube.config, {
      method: 'POST',
      path: `${rbac}/clusterroles`,
      body: {
        metadata: { name: role },
        rules: [{ apiGroups: ['mcpg.dev'], resources: ['mcpgtenants'], verbs: ['create', 'get'] }],
      },
    });
    await kubeRequest(kube.config, {
      method: 'POST',
      path: `${rbac}/clusterrolebindings`,
      body: {
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: delegate.username }],
      },
    });
    await untilGuarded(() => claim(['kube-system'], true));
  }, 90_000);

  afterAll(async () => {
    for (const path of [
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${role}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`,
      `/apis/mcpg.dev/v1alpha2/mcpgtenants/grab-${run}`,
    ])
      await kubeRequest(kube.config, { method: 'DELETE', path }).catch(() => undefined);
    await lane.stop();
  });

  it.each([
    {
      namespace: 'kube-system',
      why: 'is reserved for the cluster (kube-* namespaces cannot belong to a tenant)',
    },
    {
      namespace: 'kube-public',
      why: 'is reserved for the cluster (kube-* namespaces cannot belong to a tenant)',
    },
    { namespace: 'operator', why: "is the operator's namespace, which cannot belong to a tenant" },
    {
      namespace: 'unlabelled',
      why: 'has no label mcpg.dev/tenant-namespace=true; a cluster administrator opts a namespace in by setting it',
    },
  ])('cannot claim $namespace', async ({ namespace, why }) => {
    const name =
      namespace === 'operator' ? home.name : namespace === 'unlabelled' ? unlabelled.name : namespace;
    expect(await claim([name])).toBe(
      `admission webhook "mcpgtenants.mcpg.dev" denied the request: spec.namespaces[0] ${why} (got "${name}")`,
    );
  });

  it('claims a namespace once an administrator opts it in', async () => {
    await optInNamespace(kube, unlabelled.name);
    expect(await claim([unlabelled.name])).toBeUndefined();
  });
});
