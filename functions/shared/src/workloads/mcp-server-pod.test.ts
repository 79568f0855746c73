import { describe, expect, it } from 'vitest';
import { mcpServerPodSpec, type PodSource } from './mcp-server-pod.ts';

const source = (more: Partial<PodSource> = {}): PodSource => ({
  image: 'ghcr.io/example/tools:1.0.0',
  transport: 'streamable-http',
  port: 8080,
  path: '/mcp',
  resources: {},
  ...more,
});

type Container = {
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
};
type Pod = {
  securityContext: Record<string, unknown>;
  automountServiceAccountToken: boolean;
  containers: Container[];
  initContainers?: Container[];
  volumes: { name: string; emptyDir?: object }[];
};
const pod = (more: Partial<PodSource> = {}) =>
  mcpServerPodSpec(source(more), { bridgeImage: 'ghcr.io/mcpg-dev/stdio-bridge:0.1.0' }) as unknown as Pod;

describe('the pod of an MCP server', () => {
  it('is hardened as Pod Security "restricted" asks, with a writable /tmp and no token', () => {
    const spec = pod({ transport: 'stdio', command: ['mcp-files'] });
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.automountServiceAccountToken).toBe(false);
    for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
        readOnlyRootFilesystem: true,
      });
    }
    expect(spec.containers[0]?.volumeMounts).toContainEqual({ name: 'writable-0', mountPath: '/tmp' });
    expect(spec.volumes).toContainEqual({ name: 'writable-0', emptyDir: {} });
  });

  it('takes the opt-outs of spec.podSecurity', () => {
    const spec = pod({
      podSecurity: {
        runAsUser: 10001,
        fsGroup: 10001,
        readOnlyRootFilesystem: false,
        writablePaths: ['/data', '/tmp'],
        automountServiceAccountToken: true,
      },
    });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 });
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.containers[0]?.securityContext.readOnlyRootFilesystem).toBe(false);
    expect(spec.containers[0]?.volumeMounts.map((m) => m.mountPath)).toEqual(['/tmp', '/data']);
  });
});
