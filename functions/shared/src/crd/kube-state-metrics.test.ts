import { describe, expect, it } from 'vitest';
import { KINDS } from '../api/kinds.ts';
import { INSTANCE_PHASES } from '../api/instance.schema.ts';
import { customResourceStateConfig, kindResource, type KsmMetric } from './kube-state-metrics.ts';

const resourceOf = (kind: string) => {
  const found = KINDS.find((k) => k.kind === kind);
  if (!found) throw new Error(kind);
  return kindResource(found);
};
/** A metric by its full name without `mcpg_`: `server_status_phase`. */
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
    expect(resource.metricNamePrefix).toBe('mcpg');
    const kindPart = kind.replace(/^MCPG/, '').toLowerCase();
    for (const metric of resource.metrics) {
      expect(metric.name).toMatch(new RegExp(`^${kindPart}(_[a-z0-9]+)+$`));
      expect(metric.help.length).toBeGreaterThan(0);
      if (metric.each.type === 'Info') expect(metric.name).toMatch(/_info$/);
      if (metric.name.includes('timestamp')) expect(metric.name).toMatch(/_timestamp_seconds$/);
    }
    expect(resource.metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining([`${kindPart}_info`, `${kindPart}_status_condition`]),
    );
  });

  it('turns status enums into state sets listing every value of the schema', () => {
    expect(metricOf('MCPGInstance', 'instance_status_phase')?.each).toEqual({
      type: 'StateSet',
      stateSet: { path: ['status', 'phase'], labelName: 'phase', list: [...INSTANCE_PHASES] },
    });
  });

  it.each([
    ['MCPGServer', 'server_status_ready_replicas', ['status', 'readyReplicas'], 'zero'],
    ['MCPGServer', 'server_spec_replicas', ['spec', 'replicas'], 'defaulted'],
    [
      'MCPGServer',
      'server_status_image_verification_verified',
      ['status', 'imageVerification', 'verified'],
      'optional',
    ],
    ['MCPGGateway', 'gateway_status_available_replicas', ['status', 'availableReplicas'], 'zero'],
    // Defaulted, but inside an optional object.
    ['MCPGGateway', 'gateway_spec_autoscaling_enabled', ['spec', 'autoscaling', 'enabled'], 'optional'],
    [
      'MCPGGateway',
      'gateway_spec_autoscaling_min_replicas',
      ['spec', 'autoscaling', 'minReplicas'],
      'optional',
    ],
    ['MCPGPlugin', 'plugin_status_revoked_by_sha', ['status', 'revokedBySha'], 'optional'],
    ['MCPGInstance', 'instance_status_expires_timestamp_seconds', ['status', 'expiresAt'], 'optional'],
    ['MCPGInstance', 'instance_status_last_used_timestamp_seconds', ['status', 'lastUsedAt'], 'optional'],
    ['MCPGTenant', 'tenant_status_observed_routes', ['status', 'observed', 'routes'], 'zero'],
    ['MCPGTenant', 'tenant_spec_quotas_max_routes', ['spec', 'quotas', 'maxRoutes'], 'optional'],
  ])('%s %s is a gauge of %j (when absent: %s)', (kind, name, path, absent) => {
    const metric = metricOf(kind, name);
    expect(metric?.each).toEqual({
      type: 'Gauge',
      gauge: absent === 'zero' ? { path, nilIsZero: true } : { path },
    });
    // An absent optional field is no error worth logging at the default verbosity.
    expect(metric?.errorLogV).toBe(absent === 'optional' ? 4 : undefined);
  });

  it('leaves out free text and the subject key, which names a person', () => {
    const names = resourceOf('MCPGInstance').metrics.map((m) => m.name);
    expect(names).not.toContain('instance_status_service_url');
    expect(JSON.stringify(metricOf('MCPGInstance', 'instance_info'))).not.toContain('subjectKey');
  });
});
