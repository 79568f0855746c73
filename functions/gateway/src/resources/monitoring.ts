/** prometheus-operator objects, rendered only when requested and when the cluster serves their kinds. */
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { GatewayObject, GatewayInputs } from '../types.ts';
import { COMPONENT, HTTP_PORT_NAME, names, podSelector } from './names.ts';

export function makeServiceMonitor(gateway: GatewayObject, inputs: GatewayInputs): KubeObject | undefined {
  const monitor = gateway.spec.monitoring?.serviceMonitor;
  if (!monitor?.enabled || !inputs.serves.serviceMonitor) return undefined;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: childMetadata(gateway, {
      name: names.service(gateway.metadata.name),
      component: COMPONENT,
      ...(monitor.labels ? { labels: monitor.labels } : {}),
    }),
    spec: {
      selector: { matchLabels: podSelector(gateway.metadata.name) },
      endpoints: [
        {
          port: HTTP_PORT_NAME,
          path: '/metrics',
          ...(monitor.interval ? { interval: monitor.interval } : {}),
          ...(monitor.scrapeTimeout ? { scrapeTimeout: monitor.scrapeTimeout } : {}),
        },
      ],
    },
  };
}

export function makePrometheusRule(gateway: GatewayObject, inputs: GatewayInputs): KubeObject | undefined {
  const rule = gateway.spec.monitoring?.prometheusRule;
  if (!rule?.enabled || !inputs.serves.prometheusRule) return undefined;
  const namespace = gateway.metadata.namespace ?? '';
  const deployment = names.workload(gateway.metadata.name);
  const service = names.service(gateway.metadata.name);
  const labels = { severity: rule.severity ?? 'warning' };
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: childMetadata(gateway, { name: names.service(gateway.metadata.name), component: COMPONENT }),
    spec: {
      groups: [
        {
          name: `mcpg-gateway-${gateway.metadata.name}`,
          rules: [
            {
              alert: 'MCPGGatewayDown',
              expr: `sum(up{namespace="${namespace}",service="${service}"}) == 0`,
              for: '5m',
              labels,
              annotations: {
                summary: `No pod of gateway ${namespace}/${gateway.metadata.name} answers scrapes.`,
              },
            },
            {
              alert: 'MCPGGatewayReplicasUnavailable',
              expr: `kube_deployment_status_replicas_unavailable{namespace="${namespace}",deployment="${deployment}"} > 0`,
              for: '15m',
              labels,
              annotations: {
                summary: `Gateway ${namespace}/${gateway.metadata.name} has unavailable replicas.`,
              },
            },
          ],
        },
      ],
    },
  };
}
