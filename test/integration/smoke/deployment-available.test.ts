import { describe, expect, it, vi } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';

// Proves kube-controller-manager (ReplicaSets), kube-scheduler (binding) and kwok (pod readiness) all run.
describe('the local control plane runs workloads', () => {
  const namespace = useNamespace('smoke-deploy');
  const { apps, core } = clients();

  it('brings a Deployment to Available with Ready pods on the kwok node', async () => {
    const labels = { app: 'smoke' };
    await apps.createNamespacedDeployment({
      namespace: namespace.name,
      body: {
        metadata: { name: 'smoke' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'app', image: 'registry.invalid/smoke:1' }] },
          },
        },
      },
    });

    await vi.waitFor(
      async () => {
        const deployment = await apps.readNamespacedDeployment({ name: 'smoke', namespace: namespace.name });
        const available = deployment.status?.conditions?.find((c) => c.type === 'Available');
        expect(available?.status).toBe('True');
        expect(deployment.status?.availableReplicas).toBe(2);
      },
      { timeout: 30_000, interval: 250 },
    );

    const pods = await core.listNamespacedPod({ namespace: namespace.name, labelSelector: 'app=smoke' });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.spec?.nodeName).toBe('kwok-node-0');
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    }
  });
});
