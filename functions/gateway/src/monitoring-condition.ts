import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import { CONDITION, REASON } from './lifecycle.ts';
import type { GatewayObject, GatewayInputs } from './types.ts';

/** Whether the requested monitoring objects could be rendered; a missing prometheus-operator API is reported, not fatal. */
export function monitoringCondition(gateway: GatewayObject, serves: GatewayInputs['serves']): ConditionInput {
  const monitoring = gateway.spec.monitoring;
  const wanted = [
    {
      kind: 'ServiceMonitor',
      on: monitoring?.serviceMonitor?.enabled === true,
      served: serves.serviceMonitor,
    },
    {
      kind: 'PrometheusRule',
      on: monitoring?.prometheusRule?.enabled === true,
      served: serves.prometheusRule,
    },
  ].filter((w) => w.on);
  if (wanted.length === 0)
    return {
      type: CONDITION.monitoring,
      status: 'True',
      reason: REASON.monitoringNotRequested,
      message: 'no monitoring objects requested',
    };
  const missing = wanted.filter((w) => !w.served).map((w) => w.kind);
  if (missing.length > 0)
    return {
      type: CONDITION.monitoring,
      status: 'False',
      reason: REASON.monitoringApiMissing,
      message: `the cluster does not serve ${missing.join(' and ')} (monitoring.coreos.com/v1); install prometheus-operator's CRDs or turn spec.monitoring off`,
    };
  return {
    type: CONDITION.monitoring,
    status: 'True',
    reason: REASON.monitoringRendered,
    message: `rendered ${wanted.map((w) => w.kind).join(' and ')}`,
  };
}
