import { describe, expect, it } from 'vitest';
import { example, type Manifest } from '../../../../test/fixtures/examples.ts';
import type { AdmissionRequest } from '../admission-review.ts';
import { decide } from '../decide.ts';
import { fakeLookups, type FakeCluster } from '../fake-lookups.test-support.ts';
import { OPEN_POLICY, type AdmissionPolicy } from '../policy.ts';

const MALLORY = { username: 'mallory', uid: 'u-1', groups: ['mcpg.dev:tenant:team-a'] };

function server(spec: Record<string, unknown>): Manifest {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name: 'tools', namespace: 'team-a' },
    spec: { image: 'ghcr.io/example/tools:1.0.0', ...spec },
  };
}

function gateway(spec: Record<string, unknown>): Manifest {
  const base = example('MCPGGateway');
  return { ...base, metadata: { name: 'gw', namespace: 'team-a' }, spec: { ...base.spec, ...spec } };
}

function instance(spec: Record<string, unknown>): Manifest {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGInstance',
    metadata: { name: 'tools-alice', namespace: 'team-a' },
    spec: { subjectKey: 'alice', ...spec },
  };
}

async function verdict(
  manifest: Manifest,
  cluster: FakeCluster = {},
  options: { policy?: AdmissionPolicy; old?: Manifest } = {},
) {
  const request: AdmissionRequest = {
    uid: 'r',
    kind: { group: 'mcpg.dev', version: 'v1alpha2', kind: manifest.kind },
    namespace: manifest.metadata.namespace,
    name: manifest.metadata.name,
    operation: options.old ? 'UPDATE' : 'CREATE',
    userInfo: MALLORY,
    object: manifest,
    ...(options.old ? { oldObject: options.old } : {}),
  };
  return decide(request, manifest.kind, {
    lookups: fakeLookups(cluster),
    lookupFailurePolicy: 'Fail',
    privilegedGroups: ['system:masters'],
    policy: options.policy ?? OPEN_POLICY,
  });
}

const cannot = (right: string) =>
  `but user "mallory" may not ${right} in namespace team-a themselves; use one you may, or ask an administrator for that right`;

describe('fields that act with the requesting user’s rights', () => {
  it.each([
    {
      field: 'spec.serviceAccountName',
      object: server({ serviceAccountName: 'deployer' }),
      message: `spec.serviceAccountName names ServiceAccount "deployer", ${cannot('impersonate serviceaccounts "deployer"')}`,
      grant: 'mallory impersonate serviceaccounts/deployer team-a',
    },
    {
      field: 'spec.envFrom[0].secretRef.name',
      object: server({ envFrom: [{ secretRef: { name: 'db' } }] }),
      message: `spec.envFrom[0].secretRef.name names Secret "db", ${cannot('get secrets "db"')}`,
      grant: 'mallory get secrets/db team-a',
    },
    {
      field: 'spec.envFrom[0].configMapRef.name',
      object: server({ envFrom: [{ configMapRef: { name: 'settings' } }] }),
      message: `spec.envFrom[0].configMapRef.name names ConfigMap "settings", ${cannot('get configmaps "settings"')}`,
      grant: 'mallory get configmaps/settings team-a',
    },
    {
      field: 'spec.envFromSecrets[0]',
      object: server({ envFromSecrets: ['db'] }),
      message: `spec.envFromSecrets[0] names Secret "db", ${cannot('get secrets "db"')}`,
      grant: 'mallory get secrets/db team-a',
    },
    {
      field: 'spec.imagePullSecrets[0].name',
      object: server({ imagePullSecrets: [{ name: 'pull' }] }),
      message: `spec.imagePullSecrets[0].name names Secret "pull", ${cannot('get secrets "pull"')}`,
      grant: 'mallory get secrets/pull team-a',
    },
    {
      field: 'spec.ingress.tls.secretName',
      object: server({ ingress: { tls: { secretName: 'wildcard-tls' } } }),
      message: `spec.ingress.tls.secretName names Secret "wildcard-tls", ${cannot('get secrets "wildcard-tls"')}`,
      grant: 'mallory get secrets/wildcard-tls team-a',
    },
    {
      field: 'gateway spec.ingress.tls[0].secretName',
      object: gateway({
        ingress: {
          ingressClassName: 'nginx',
          hosts: [{ host: 'gw.team-a.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
          tls: [{ hosts: ['gw.team-a.example.com'], secretName: 'wildcard-tls' }],
        },
      }),
      message: `spec.ingress.tls[0].secretName names Secret "wildcard-tls", ${cannot('get secrets "wildcard-tls"')}`,
      grant: 'mallory get secrets/wildcard-tls team-a',
    },
    {
      field: 'gateway spec.service.type',
      object: gateway({ service: { type: 'LoadBalancer' } }),
      message: `spec.service.type names Service type LoadBalancer, ${cannot('create services')}`,
      grant: 'mallory create services team-a',
    },
    {
      field: 'gateway spec.service.annotations',
      object: gateway({ service: { annotations: { 'cloud.example/public': 'true' } } }),
      message: `spec.service.annotations names Service annotations, ${cannot('create services')}`,
      grant: 'mallory create services team-a',
    },
    {
      field: 'instance spec.secretName',
      object: instance({ image: 'ghcr.io/example/tools:1.0.0', secretName: 'someone-else' }),
      message: `spec.secretName names Secret "someone-else", ${cannot('get secrets "someone-else"')}`,
      grant: 'mallory get secrets/someone-else team-a',
    },
  ])('refuses $field unless the user may use it themselves', async ({ object, message, grant }) => {
    const refused = await verdict(object);
    expect(refused).toMatchObject({ allowed: false, code: 403, message });
    expect((await verdict(object, { grants: [grant] })).allowed).toBe(true);
  });

  it('refuses an instance that would borrow what its server template’s pods use', async () => {
    const template = {
      namespace: 'team-a',
      name: 'tools',
      spec: { image: 'x', serviceAccountName: 'deployer' } as never,
    };
    const refused = await verdict(instance({ serverTemplateRef: { name: 'tools' } }), {
      servers: [template],
    });
    expect(refused.message).toBe(
      `spec.serverTemplateRef names MCPGServer tools, whose spec.serviceAccountName names ServiceAccount "deployer", ${cannot('impersonate serviceaccounts "deployer"')}`,
    );
  });

  it('refuses a gateway binding a cluster whose credential Secrets its author may not read', async () => {
    const redis = {
      name: 'redis',
      spec: { credentialRefs: [{ name: 'auth', secretName: 'redis-auth' }] } as never,
    };
    const bound = gateway({ clusterRef: { name: 'redis' } });
    expect((await verdict(bound, { clusters: [redis] })).message).toBe(
      `spec.clusterRef names MCPGCluster redis, whose spec.credentialRefs[0] names Secret "redis-auth", ${cannot('get secrets "redis-auth"')}`,
    );
    const allowed = { clusters: [redis], grants: ['mallory get secrets/redis-auth team-a'] };
    expect((await verdict(bound, allowed)).allowed).toBe(true);
  });

  it('does not ask again about a reference the stored object already made', async () => {
    const old = server({ serviceAccountName: 'deployer', replicas: 1 });
    expect(
      (await verdict(server({ serviceAccountName: 'deployer', replicas: 3 }), {}, { old })).allowed,
    ).toBe(true);
    expect((await verdict(server({ serviceAccountName: 'admin' }), {}, { old })).allowed).toBe(false);
  });

  it('fails closed when the authorizer cannot be asked', async () => {
    const refused = await verdict(server({ envFromSecrets: ['db'] }), { unreachable: true });
    expect(refused).toMatchObject({ allowed: false, code: 503 });
  });
});

describe('the operator’s Ingress settings and hosts', () => {
  const strict: AdmissionPolicy = { ...OPEN_POLICY, ingressClasses: ['public'] };

  it.each([
    { key: 'nginx.ingress.kubernetes.io/configuration-snippet', pattern: '*snippet*' },
    { key: 'nginx.ingress.kubernetes.io/server-snippet', pattern: '*snippet*' },
    { key: 'nginx.ingress.kubernetes.io/auth-url', pattern: '*/auth-url' },
    { key: 'nginx.ingress.kubernetes.io/auth-tls-secret', pattern: '*/auth-tls-secret' },
  ])('refuses the annotation $key by default', async ({ key, pattern }) => {
    const refused = await verdict(server({ ingress: { annotations: { [key]: 'x' } } }));
    expect(refused.message).toBe(
      `spec.ingress.annotations["${key}"] matches the denied pattern "${pattern}", so the operator does not let MCPG objects set it; remove it, or ask the operator to allow it`,
    );
  });

  it('admits ordinary annotations, and refuses what no allowed pattern names', async () => {
    const annotations = { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' };
    expect((await verdict(server({ ingress: { annotations } }))).allowed).toBe(true);
    const narrow = { ...OPEN_POLICY, ingressAnnotationsAllowed: ['cert-manager.io/*'] };
    const refused = await verdict(server({ ingress: { annotations } }), {}, { policy: narrow });
    expect(refused.message).toContain('matches none of the allowed patterns (cert-manager.io/*)');
  });

  it('refuses an IngressClass the operator does not allow, on servers and gateways', async () => {
    const refused = await verdict(server({ ingress: { className: 'internal' } }), {}, { policy: strict });
    expect(refused.message).toBe(
      'spec.ingress.className must be one of the IngressClasses the operator allows: public (got "internal")',
    );
    const ingress = {
      ingressClassName: 'internal',
      hosts: [{ host: 'gw.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
    };
    expect((await verdict(gateway({ ingress }), {}, { policy: strict })).message).toContain(
      'spec.ingress.ingressClassName must be one of',
    );
  });

  it.each([
    { served: 'tools.example.com', asked: 'tools.example.com' },
    { served: 'TOOLS.example.com', asked: 'tools.example.com' },
    { served: '*.example.com', asked: 'tools.example.com' },
    { served: 'tools.example.com', asked: '*.example.com' },
  ])('refuses host $asked while another namespace serves $served', async ({ served, asked }) => {
    const cluster = { hosts: { 'team-b': [served] } };
    const refused = await verdict(server({ ingress: { host: asked } }), cluster);
    expect(refused.message).toBe(
      `spec.ingress.host is already served for namespace team-b (got "${asked}"); choose another host, or have it released there first`,
    );
  });

  it('admits a host its own namespace serves, and one a wildcard does not cover', async () => {
    const cluster = { hosts: { 'team-a': ['tools.example.com'], 'team-b': ['*.example.com'] } };
    expect(
      (
        await verdict(server({ ingress: { host: 'tools.example.com' } }), {
          hosts: { 'team-a': ['tools.example.com'] },
        })
      ).allowed,
    ).toBe(true);
    expect((await verdict(server({ ingress: { host: 'a.b.example.com' } }), cluster)).allowed).toBe(true);
  });
});

describe('namespaces a tenant may claim', () => {
  const tenant = (namespaces: string[]): Manifest => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGTenant',
    metadata: { name: 'greedy' },
    spec: { namespaces },
  });
  const opted = { 'mcpg.dev/tenant-namespace': 'true' };

  it('refuses kube-*, the operator’s namespace and namespaces without the opt-in label', async () => {
    const cluster = {
      namespaceLabels: { 'kube-system': opted, 'mcpg-system': opted, plain: {}, open: opted },
    };
    const policy = { ...OPEN_POLICY, operatorNamespace: 'mcpg-system' };
    const refused = await verdict(
      tenant(['kube-system', 'kube-node-lease', 'mcpg-system', 'plain', 'open']),
      cluster,
      {
        policy,
      },
    );
    expect(refused.message?.split('; spec.')).toEqual([
      'spec.namespaces[0] is reserved for the cluster (kube-* namespaces cannot belong to a tenant) (got "kube-system")',
      'namespaces[1] is reserved for the cluster (kube-* namespaces cannot belong to a tenant) (got "kube-node-lease")',
      `namespaces[2] is the operator's namespace, which cannot belong to a tenant (got "mcpg-system")`,
      'namespaces[3] has no label mcpg.dev/tenant-namespace=true; a cluster administrator opts a namespace in by setting it (got "plain")',
    ]);
  });

  it('admits an opted-in namespace, and one not created yet with a warning', async () => {
    const admitted = await verdict(tenant(['open', 'later']), { namespaceLabels: { open: opted } });
    expect(admitted.allowed).toBe(true);
    expect(admitted.warnings).toEqual([
      'spec.namespaces[1]: namespace later does not exist yet; it is bound once it exists with the label mcpg.dev/tenant-namespace=true',
    ]);
  });
});
