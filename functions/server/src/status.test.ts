import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { crashLooping, rolloutHold, serverStatus } from './status.ts';
import type { ServerObject } from './types.ts';

const server = (spec: Partial<ServerObject['spec']> = {}): ServerObject => ({
  apiVersion: 'mcpg.dev/v1alpha2',
  kind: 'MCPGServer',
  metadata: { name: 'tools', namespace: 'team-a', generation: 2 },
  spec: {
    image: 'x/y:1',
    replicas: 2,
    transport: 'streamable-http',
    port: 8080,
    path: '/mcp',
    resources: {},
    ...spec,
  },
});

const deployment = (status: Record<string, number>, generation = 3): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'tools', generation },
  status: { observedGeneration: generation, ...status },
});

const pod = (containerStatus: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'tools-abc' },
  status: { containerStatuses: [containerStatus] },
});

const ingress = (address: boolean): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'tools' },
  status: { loadBalancer: address ? { ingress: [{ ip: '10.1.2.3' }] } : {} },
});

const running = { replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 };
const UNRESTRICTED = undefined;

describe('serverStatus', () => {
  it.each([
    {
      name: 'no Deployment yet',
      observed: { deployment: undefined } as { deployment: KubeObject | undefined },
      phase: 'Pending',
      ready: 'Pending',
    },
    {
      name: 'pods not ready',
      observed: { deployment: deployment({ replicas: 2, updatedReplicas: 2 }) },
      phase: 'Starting',
      ready: 'Starting',
    },
    {
      name: 'a rollout the Deployment controller has not seen',
      observed: { deployment: { ...deployment(running), metadata: { name: 'tools', generation: 4 } } },
      phase: 'Starting',
      ready: 'Starting',
    },
    {
      name: 'every replica available',
      observed: { deployment: deployment(running) },
      phase: 'Running',
      ready: 'Running',
    },
    {
      name: 'a crash-looping pod',
      observed: {
        deployment: deployment(running),
        pods: [pod({ ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } })],
      },
      phase: 'Degraded',
      ready: 'CrashLoop',
    },
  ])('is $phase with $name', ({ observed, phase, ready }) => {
    const result = serverStatus(server(), { ingress: undefined, pods: [], ...observed }, UNRESTRICTED);
    expect(result.status.phase).toBe(phase);
    expect(result.conditions.find((c) => c.type === 'Ready')?.reason).toBe(ready);
  });

  it('is Degraded in strict ingress mode until the Ingress has an address, and only IngressReady=False when permissive', () => {
    const strict = server({ ingress: { pathPrefix: '/', readiness: 'strict' } });
    expect(
      serverStatus(
        strict,
        { deployment: deployment(running), ingress: ingress(false), pods: [] },
        UNRESTRICTED,
      ).status.phase,
    ).toBe('Degraded');
    expect(
      serverStatus(
        strict,
        { deployment: deployment(running), ingress: ingress(true), pods: [] },
        UNRESTRICTED,
      ).status.phase,
    ).toBe('Running');
    const permissive = serverStatus(
      server({ ingress: { pathPrefix: '/', readiness: 'permissive' } }),
      { deployment: deployment(running), ingress: ingress(false), pods: [] },
      UNRESTRICTED,
    );
    expect(permissive.status.phase).toBe('Running');
    expect(permissive.conditions.find((c) => c.type === 'IngressReady')).toMatchObject({
      status: 'False',
      reason: 'NoLoadBalancerAddress',
    });
  });

  it('holds back an image that is not verified: Degraded over the running Deployment, Pending without one', () => {
    const blocked = rolloutHold(
      { state: 'blocked', reason: 'SignatureMissing', message: 'no cosign signature' },
      { state: 'given' },
    );
    const kept = serverStatus(
      server(),
      { deployment: deployment(running), ingress: undefined, pods: [] },
      blocked,
    );
    expect(kept.status.phase).toBe('Degraded');
    expect(kept.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ImageNotVerified',
      message: 'no cosign signature; the running Deployment is kept as it is until the image passes',
    });
    const none = serverStatus(server(), { deployment: undefined, ingress: undefined, pods: [] }, blocked);
    expect(none.status.phase).toBe('Pending');
    expect(none.conditions.find((c) => c.type === 'Ready')?.message).toMatch(/no Deployment is created/);
  });

  it('holds back a stdio server whose image entrypoint is not known yet, saying what to do', () => {
    const hold = rolloutHold(
      { state: 'unrestricted' },
      {
        state: 'unresolved',
        reason: 'NoEntrypoint',
        message: 'x/y:1 has neither Entrypoint nor Cmd: set spec.command',
      },
    );
    const result = serverStatus(server(), { deployment: undefined, ingress: undefined, pods: [] }, hold);
    expect(result.status.phase).toBe('Pending');
    expect(result.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ImageEntrypointUnknown',
      message:
        'x/y:1 has neither Entrypoint nor Cmd: set spec.command; no Deployment is created until its entrypoint is known',
    });
  });

  it('reports counts and the in-cluster URL', () => {
    const result = serverStatus(
      server({ path: 'rpc', port: 9000 }),
      { deployment: deployment(running), ingress: undefined, pods: [] },
      UNRESTRICTED,
    );
    expect(result.status).toEqual({
      phase: 'Running',
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      url: 'http://tools.team-a.svc.cluster.local:9000/rpc',
    });
  });

  it.each([
    { envFrom: undefined, unwatched: [], condition: undefined },
    {
      envFrom: [{ secretRef: { name: 'token' } }],
      unwatched: [],
      condition: { status: 'True', reason: 'Labelled' },
    },
    {
      envFrom: [{ secretRef: { name: 'token' } }, { configMapRef: { name: 'settings' } }],
      unwatched: ['Secret token', 'ConfigMap settings'],
      condition: {
        status: 'False',
        reason: 'NotLabelled',
        message:
          'changes to Secret token, ConfigMap settings roll the pods only at the next resync; label them mcpg.dev/watch=true to roll them at once',
      },
    },
  ])(
    'says whether environment changes roll the pods at once ($unwatched)',
    ({ envFrom, unwatched, condition }) => {
      const result = serverStatus(
        server(envFrom ? { envFrom } : {}),
        { deployment: deployment(running), ingress: undefined, pods: [], unwatched },
        UNRESTRICTED,
      );
      expect(result.conditions.find((c) => c.type === 'EnvironmentWatched')).toEqual(
        condition && expect.objectContaining(condition),
      );
      expect(result.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    },
  );

  it('counts repeated restarts of a container that is not ready as a crash loop', () => {
    expect(crashLooping([pod({ ready: false, restartCount: 3 })])).toEqual(['tools-abc']);
    expect(crashLooping([pod({ ready: true, restartCount: 7 })])).toEqual([]);
  });
});
