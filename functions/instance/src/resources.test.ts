import { describe, expect, it } from 'vitest';
import { instanceChildName, instanceUrl, makePod, makeService, POD_HASH_ANNOTATION } from './resources.ts';
import type { InstanceObject } from './types.ts';

const instance: InstanceObject = {
  apiVersion: 'mcpg.dev/v1alpha2',
  kind: 'MCPGInstance',
  metadata: { name: 'tools-alice', namespace: 'team-a', uid: 'u-1' },
  spec: {
    serverTemplateRef: { name: 'tools' },
    port: 8080,
    subjectKey: 'alice@example.com',
    isolation: 'per-user',
    secretName: 'alice-token',
    idleTTL: '30m',
    maxLifetime: '24h',
  },
};
const source = {
  image: 'ghcr.io/example/tools:1.0.0',
  transport: 'streamable-http' as const,
  port: 9000,
  path: '/mcp',
  resources: {},
  envFrom: [{ configMapRef: { name: 'settings' } }],
};

describe('instance children', () => {
  it('runs the template’s container with the subject’s Secret last in envFrom, owned and labelled', () => {
    const pod = makePod(instance, source, 'bridge:1') as unknown as {
      metadata: {
        name: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
        ownerReferences: unknown[];
      };
      spec: { containers: { envFrom: unknown[]; ports: unknown[] }[] };
    };
    expect(pod.metadata.name).toBe('mcpgi-tools-alice');
    expect(pod.metadata.labels).toMatchObject({
      'mcpg.dev/mcpginstance': 'tools-alice',
      'mcpg.dev/isolation': 'per-user',
    });
    expect(pod.metadata.annotations[POD_HASH_ANNOTATION]).toMatch(/^[a-f0-9]{64}$/);
    expect(pod.metadata.ownerReferences).toHaveLength(1);
    expect(pod.spec.containers[0]?.envFrom).toEqual([
      { configMapRef: { name: 'settings' } },
      { secretRef: { name: 'alice-token' } },
    ]);
    expect(pod.spec.containers[0]?.ports).toEqual([{ name: 'mcp', containerPort: 9000, protocol: 'TCP' }]);
  });

  it('changes the pod hash when the pod spec changes, and only then', () => {
    const hash = (s: typeof source) =>
      makePod(instance, s, 'bridge:1').metadata.annotations?.[POD_HASH_ANNOTATION];
    expect(hash(source)).toBe(hash({ ...source }));
    expect(hash(source)).not.toBe(hash({ ...source, image: 'ghcr.io/example/tools:1.0.1' }));
  });

  it("runs a stdio template's image process behind the bridge, pinned, and replaces the pod when it moves", () => {
    const stdio = { ...source, transport: 'stdio' as const };
    const read = (digest: string, command: string[]) => ({
      command,
      image: `ghcr.io/example/tools:1.0.0@sha256:${digest.repeat(64)}`,
    });
    const pod = (process: ReturnType<typeof read>) =>
      makePod(instance, stdio, 'bridge:1', process) as unknown as {
        metadata: { annotations: Record<string, string> };
        spec: { containers: { image: string; command: string[] }[] };
      };
    const first = pod(read('a', ['/bin/tools', '--stdio']));
    expect(first.spec.containers[0]?.image).toBe(`ghcr.io/example/tools:1.0.0@sha256:${'a'.repeat(64)}`);
    expect(first.spec.containers[0]?.command.slice(-3)).toEqual(['--', '/bin/tools', '--stdio']);
    const moved = pod(read('b', ['/bin/tools', '--stdio']));
    expect(moved.metadata.annotations[POD_HASH_ANNOTATION]).not.toBe(
      first.metadata.annotations[POD_HASH_ANNOTATION],
    );
  });

  it('selects the pod from its Service and publishes the URL', () => {
    const service = makeService(instance, 9000) as unknown as { spec: { selector: Record<string, string> } };
    expect(service.spec.selector).toEqual({ 'mcpg.dev/mcpginstance': 'tools-alice' });
    expect(instanceUrl(instance, 9000, 'mcp')).toBe(
      'http://mcpgi-tools-alice.team-a.svc.cluster.local:9000/mcp',
    );
    expect(instanceChildName('x'.repeat(80)).length).toBeLessThanOrEqual(63);
  });
});
