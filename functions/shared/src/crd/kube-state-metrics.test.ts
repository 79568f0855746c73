import { describe, expect, it } from 'vitest';
import { KINDS } from '../api/kinds.ts';
import { INSTANCE_PHASES } from '../api/instance.schema.ts';
import { customResourceStateConfig, kindResource, type KsmMetric } from './kube-state-metrics.ts';

const resourceOf = (kind: string) => {
  const found = KINDS.find((k) => k.kind === kind);
  if (!found) throw new Error(kind);
  return kindResource(found);
};
const metricOf = (kind: string, name: string): KsmMetric | undefined =>
  resourceOf(kind).metrics.find((m) => m.name === name);

describe('the kube-state-metrics configuration', () => {
  it('covers every kind, by its plural, with the namespace only where objects have one', () => {
    const resources = customResourceStateConfig().spec.resources;
    expect(resources.map((r) => r.resourcePlural)).toEqual(KINDS.map((k) => k.plural));
    for (const resource of resources) {
      const scope = KINDS.find((k) => k.kind === resource.groupVersionKind.kind)?.scope;
      expect(Object.keys(resource.labelsFromPath).sort()).toEqual(
        scope === 'Namespaced' ? ['name', 'namespace'] : ['name'],
      );
    }
  });

  it.each(KINDS.map((k) => [k.kind]))('names %s’s series by Prometheus conventions', (kind) => {
    const resource = resourceOf(kind);
    expect(resource.metricNamePrefix).toMatch(/^mcpg_[a-z]+$/);
    for (const metric of resource.metrics) {
      expect(metric.name).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
      expect(metric.help.length).toBeGreaterThan(0);
      if (metric.each.type === 'Info') expect(metric.name).toMatch(/_info$/);
      if (metric.name.includes('timestamp')) expect(metric.name).toMatch(/_timestamp_seconds$/);
    }
    expect(resource.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['info', 'status_condition']));
  });

  it('turns status enums into state sets listing every value of the schema', () => {
    expect(metricOf('MCPGInstance', 'status_phase')?.each).toEqual({
      type: 'StateSet',
      stateSet: { path: ['status', 'phase'], labelName: 'phase', list: [...INSTANCE_PHASES] },
    });
  });

  it.each([
    ['MCPGServer', 'status_ready_replicas', ['status', 'readyReplicas'], true],
    ['MCPGServer', 'spec_replicas', ['spec', 'replicas'], undefined],
    ['MCPGServer', 'status_image_verification_verified', ['status', 'imageVerification', 'verified'], undefined],
    ['MCPGGateway', 'status_available_replicas', ['status', 'availableReplicas'], true],
    ['MCPGGateway', 'spec_autoscaling_min_replicas', ['spec', 'autoscaling', 'minReplicas'], undefined],
    ['MCPGPlugin', 'status_revoked_by_sha', ['status', 'revokedBySha'], undefined],
    ['MCPGInstance', 'status_expires_timestamp_seconds', ['status', 'expiresAt'], undefined],
    ['MCPGInstance', 'status_last_used_timestamp_seconds', ['status', 'lastUsedAt'], undefined],
    ['MCPGTenant', 'status_observed_routes', ['status', 'observed', 'routes'], true],
    ['MCPGTenant', 'spec_quotas_max_routes', ['spec', 'quotas', 'maxRoutes'], undefined],
  ])('%s %s is a gauge of %j (zero when absent: %s)', (kind, name, path, nilIsZero) => {
    const each = metricOf(kind, name)?.each;
    expect(each?.type).toBe('Gauge');
    expect(each?.type === 'Gauge' && each.gauge).toEqual(nilIsZero ? { path, nilIsZero } : { path });
  });

  it('leaves out free text and the subject key, which names a person', () => {
    const names = resourceOf('MCPGInstance').metrics.map((m) => m.name);
    expect(names).not.toContain('status_service_url');
    expect(JSON.stringify(metricOf('MCPGInstance', 'info'))).not.toContain('subjectKey');
  });
});
