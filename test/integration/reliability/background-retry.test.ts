import { kubeRequest } from '@mcpg-functions/shared/kube';
import { describe, expect, it, vi } from 'vitest';
import { apply } from '../support/crds.ts';
import { useServerFunction } from '../support/server-function.ts';

// With no hold, every event is answered 204 before its pass ends, so the source never sends it again: a pass
// that fails afterwards is the function's own to retry. A ResourceQuota allowing no Deployment makes the first
// pass fail on the API server; once the quota is gone, nothing the function watches changes, and only its own
// retry, after the backoff, can render the server.
describe('a pass that fails after its event was answered', () => {
  const bed = useServerFunction('bg-retry', { env: { MCPG_EVENT_HOLD_MS: '0' } });
  const { kube } = bed;
  const quotaPath = () => `/api/v1/namespaces/${bed.namespace}/resourcequotas/no-deployments`;

  it('is retried by the function itself once the API server accepts it again', async () => {
    await kubeRequest(kube.config, {
      method: 'POST',
      path: `/api/v1/namespaces/${bed.namespace}/resourcequotas`,
      body: {
        metadata: { name: 'no-deployments' },
        spec: { hard: { 'count/deployments.apps': '0' } },
      },
    });
    // The quota is enforced once the controller-manager has counted what the namespace holds.
    await vi.waitFor(
      async () => {
        const quota = await kubeRequest<{ status?: { hard?: Record<string, string> } }>(kube.config, {
          method: 'GET',
          path: quotaPath(),
        });
        expect(quota.status?.hard?.['count/deployments.apps']).toBe('0');
      },
      { timeout: 30_000, interval: 250 },
    );
    const refusedBefore = await bed.running.fn.metric('mcpg_events_received_total', { status: '503' });

    await apply(kube, bed.server('quota-bound'));
    const failed = await vi.waitFor(
      async () => {
        const status = (await bed.read('quota-bound')).status;
        // Events about the children it did write (its Service) run passes too, and fail alike.
        expect(status?.failureCount).toBeGreaterThanOrEqual(1);
        return status?.conditions?.find((c) => c.type === 'Ready');
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(failed).toMatchObject({ status: 'False' });
    expect(failed?.message).toContain('quota');
    await expect(
      kube.apps.readNamespacedDeployment({ name: 'quota-bound', namespace: bed.namespace }),
    ).rejects.toThrow();

    await kubeRequest(kube.config, { method: 'DELETE', path: quotaPath() });
    const running = await vi.waitFor(
      async () => {
        const status = (await bed.read('quota-bound')).status;
        expect(status?.phase).toBe('Running');
        return status;
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(running?.failureCount ?? 0).toBe(0);
    // No event was answered 503: the source was never asked to send one again.
    expect(await bed.running.fn.metric('mcpg_events_received_total', { status: '503' })).toBe(refusedBefore);
  }, 120_000);
});
