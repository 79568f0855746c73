import { describe, expect, it } from 'vitest';
import type { BuildArgs, ServerObject } from '../types.ts';
import { makeDeployment } from './deployment.ts';
import { withRegistry } from '@mcpg-functions/shared/workloads';
import { makeIngress } from './ingress.ts';
import { childName } from './names.ts';
import { makeNetworkPolicy } from './network-policy.ts';
import { makeService } from './service.ts';

const args = { envHash: 'h'.repeat(64), bridgeImage: 'ghcr.io/mcpg-dev/stdio-bridge:0.1.0' };

function server(spec: Partial<ServerObject['spec']> = {}, name = 'tools'): ServerObject {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: 'team-a', uid: 'uid-1', generation: 1 },
    spec: {
      image: 'ghcr.io/example/tools:1.0.0',
      replicas: 1,
      transport: 'streamable-http',
      port: 8080,
      path: '/mcp',
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      ...spec,
    },
  };
}

type Container = {
  command?: string[];
  args?: string[];
  env?: unknown;
  envFrom?: unknown;
  image: string;
  readinessProbe?: unknown;
};
const podSpec = (s: ServerObject, more: Partial<BuildArgs> = {}) =>
  (
    makeDeployment(s, { ...args, ...more }) as unknown as {
      spec: { template: { spec: { containers: Container[]; initContainers?: Container[] } } };
    }
  ).spec.template.spec;

describe('server children', () => {
  it('owns every child and labels it for the event source', () => {
    for (const child of [
      makeDeployment(server(), args),
      makeService(server()),
      makeNetworkPolicy(server()),
    ]) {
      expect(child?.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'mcpg.dev/v1alpha2',
          kind: 'MCPGServer',
          name: 'tools',
          uid: 'uid-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(child?.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'mcpg-functions',
        'app.kubernetes.io/part-of': 'mcpg',
        'mcpg.dev/mcpgserver': 'tools',
      });
    }
  });

  it('sorts env, maps envFrom and envFromSecrets, and puts the content hash on the pod template', () => {
    const s = server({
      env: { ZED: '1', ALPHA: '2' },
      envFrom: [{ secretRef: { name: 'token' }, prefix: 'GH_' }, { configMapRef: { name: 'settings' } }],
      envFromSecrets: ['legacy'],
    });
    const container = podSpec(s).containers[0];
    expect(container?.env).toEqual([
      { name: 'ALPHA', value: '2' },
      { name: 'ZED', value: '1' },
    ]);
    expect(container?.envFrom).toEqual([
      { secretRef: { name: 'token' }, prefix: 'GH_' },
      { configMapRef: { name: 'settings' } },
      { secretRef: { name: 'legacy' } },
    ]);
    const template = (
      makeDeployment(s, args) as unknown as { spec: { template: { metadata: { annotations: unknown } } } }
    ).spec.template.metadata;
    expect(template.annotations).toEqual({ 'mcpg.dev/env-hash': args.envHash });
  });

  it('probes the MCP port over TCP by default and over HTTP when a path is given', () => {
    expect(podSpec(server()).containers[0]?.readinessProbe).toEqual({ tcpSocket: { port: 'mcp' } });
    const custom = server({ probes: { readiness: { path: '/healthz', periodSeconds: 5 } } });
    expect(podSpec(custom).containers[0]?.readinessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'mcp' },
      periodSeconds: 5,
    });
  });

  it('runs a stdio server behind the bridge, copied in by an init container', () => {
    const spec = podSpec(
      server({ transport: 'stdio', command: ['mcp-fs', '/data'], args: ['--ro'], path: 'rpc' }),
    );
    expect(spec.initContainers).toHaveLength(1);
    // The bridge image has no shell or cp: the bridge installs itself.
    expect(spec.initContainers?.[0]?.command).toEqual([
      '/mcpg-stdio-bridge',
      'install',
      '/mcpg-bridge/mcpg-stdio-bridge',
    ]);
    expect(spec.containers[0]?.command).toEqual([
      '/mcpg-bridge/mcpg-stdio-bridge',
      '--port',
      '8080',
      '--path',
      '/rpc',
      '--',
      'mcp-fs',
      '/data',
      '--ro',
    ]);
  });

  it('runs a stdio server without command as its image would, pinned to the digest the entrypoint came from', () => {
    const image = `ghcr.io/example/fs@sha256:${'a'.repeat(64)}`;
    const spec = podSpec(server({ transport: 'stdio', path: '/mcp' }), {
      imageProcess: { command: ['/bin/fs-mcp', '/data'], image },
    });
    expect(spec.containers[0]?.image).toBe(image);
    expect(spec.containers[0]?.command).toEqual([
      '/mcpg-bridge/mcpg-stdio-bridge',
      '--port',
      '8080',
      '--path',
      '/mcp',
      '--',
      '/bin/fs-mcp',
      '/data',
    ]);
    expect(spec.containers[0]?.args).toBeUndefined();
  });

  it.each([
    {
      image: 'ghcr.io/example/tools:1.0.0',
      override: 'mirror.local:5000',
      expected: 'mirror.local:5000/example/tools:1.0.0',
    },
    { image: 'nginx:1.27', override: 'mirror.local/hub/', expected: 'mirror.local/hub/library/nginx:1.27' },
    {
      image: 'bitnami/redis@sha256:abc',
      override: 'mirror.local',
      expected: 'mirror.local/bitnami/redis@sha256:abc',
    },
    { image: 'localhost/x:1', override: 'm.io', expected: 'm.io/x:1' },
    { image: 'ghcr.io/a/b:1', override: undefined, expected: 'ghcr.io/a/b:1' },
  ])('rewrites $image to $expected for registryOverride $override', ({ image, override, expected }) => {
    expect(withRegistry(image, override)).toBe(expected);
  });

  it('admits only the federating gateway by default, nobody when federated nowhere, and can be turned off', () => {
    const federated = makeNetworkPolicy(server({ federate: { gatewayRef: { name: 'gw' } } })) as unknown as {
      spec: { ingress: unknown };
    };
    expect(federated.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'mcpg.dev/mcpggateway': 'gw' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    const isolated = makeNetworkPolicy(server()) as unknown as { spec: Record<string, unknown> };
    expect(isolated.spec.ingress).toBeUndefined();
    expect(isolated.spec.policyTypes).toEqual(['Ingress']);
    expect(makeNetworkPolicy(server({ networkPolicy: { enabled: false } }))).toBeUndefined();
  });

  it('routes an Ingress by host with TLS, or by path prefix on any host', () => {
    const byHost = makeIngress(
      server({
        ingress: {
          host: 'tools.example.com',
          pathPrefix: '/',
          readiness: 'strict',
          tls: { secretName: 'tls' },
        },
      }),
    );
    expect(byHost?.spec).toMatchObject({
      rules: [{ host: 'tools.example.com' }],
      tls: [{ secretName: 'tls', hosts: ['tools.example.com'] }],
    });
    const byPath = makeIngress(
      server({ ingress: { pathPrefix: 'tools', readiness: 'permissive' } }),
    ) as unknown as {
      spec: { rules: { host?: string; http: { paths: { path: string }[] } }[] };
    };
    expect(byPath.spec.rules[0]?.host).toBeUndefined();
    expect(byPath.spec.rules[0]?.http.paths[0]?.path).toBe('/tools');
    expect(makeIngress(server())).toBeUndefined();
  });

  it.each([
    { name: 'tools', expected: 'tools' },
    { name: '1password', expected: 'mcpg-1password' },
    { name: 'a'.repeat(70), expected: /^a{52}-[a-f0-9]{10}$/ },
  ])('names children of $name so a Service can carry the name', ({ name, expected }) => {
    if (typeof expected === 'string') expect(childName(name)).toBe(expected);
    else expect(childName(name)).toMatch(expected);
    expect(childName(name).length).toBeLessThanOrEqual(63);
  });
});
