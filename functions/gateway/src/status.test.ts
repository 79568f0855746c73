import { describe, expect, it } from 'vitest';
import { degradedCondition, replicaConditions, wantedReplicas, type Observed } from './status.ts';
import { gateway } from './test-support.ts';

const deployment = (status: Record<string, number>, replicas = 3, hash = 'h'): Observed['deployment'] => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'gw-gateway', generation: 1 },
  spec: { replicas, template: { metadata: { annotations: { 'mcpg.dev/config-hash': hash } } } },
  status: { observedGeneration: 1, ...status },
});

describe('readiness', () => {
  it.each([
    { spec: { replicas: 2 }, observed: {}, want: 2 },
    { spec: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10 } }, observed: {}, want: 3 },
    {
      spec: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10 } },
      observed: {
        autoscaler: {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'x' },
          status: { desiredReplicas: 7 },
        },
      },
      want: 7,
    },
  ])('wants $want replicas', ({ spec, observed, want }) => {
    expect(wantedReplicas(gateway(spec), { deployment: undefined, autoscaler: undefined, ...observed })).toBe(
      want,
    );
  });

  it.each([
    { status: { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, hash: 'h', ready: 'True' },
    { status: { replicas: 3, updatedReplicas: 3, availableReplicas: 2 }, hash: 'h', ready: 'False' },
    { status: { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, hash: 'old', ready: 'False' },
  ])('is $ready for $status with template $hash', ({ status, hash, ready }) => {
    const conditions = replicaConditions(
      gateway({ replicas: 3 }),
      { deployment: deployment(status, 3, hash), autoscaler: undefined },
      'h',
    );
    expect(conditions.find((c) => c.type === 'Ready')?.status).toBe(ready);
  });

  it('is Degraded with the first failing dependency’s reason', () => {
    expect(
      degradedCondition([
        { type: 'PluginSetReady', status: 'False', reason: 'PluginSetNotReady', message: 'm' },
        { type: 'ClusterReady', status: 'False', reason: 'ClusterNotFound' },
      ]),
    ).toMatchObject({ status: 'True', reason: 'PluginSetNotReady' });
    expect(degradedCondition([{ type: 'PluginSetReady', status: 'True', reason: 'x' }])).toMatchObject({
      status: 'False',
    });
  });
});
