/** MCPGGateway: gather what the gateway depends on, render its children, report status from what runs. */
import { requireKind, type GatewaySpec } from '@mcpg-functions/shared/api';
import {
  parseSpec,
  type ConditionInput,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { gatewayIngressRequest, ingressRefusal, type IngressRefusal } from '@mcpg-functions/shared/workloads';
import { gatewayDependents } from './dependents.ts';
import { resolveCluster } from './inputs/cluster.ts';
import { resolveFederations } from './inputs/federations.ts';
import { resolvePlugins } from './inputs/plugins.ts';
import { resolveRevocations } from './inputs/revocations.ts';
import { resolveRoutes } from './inputs/routes.ts';
import { monitoringCondition } from './monitoring-condition.ts';
import { renderGateway, withInjected } from './render.ts';
import { names } from './resources/names.ts';
import type { RenderSettings } from './settings.ts';
import { degradedCondition, replicaConditions, replicaStatus, type Observed } from './status.ts';
import type { GatewayInputs, GatewayObject } from './types.ts';

const KIND = requireKind('MCPGGateway');

export const GATEWAY_CHILD_TYPES = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' },
];

async function observe(gateway: GatewayObject, context: ReconcileContext) {
  const namespace = gateway.metadata.namespace;
  const workload = names.workload(gateway.metadata.name);
  const [configMap, deployment, autoscaler] = await Promise.all([
    context.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: names.configMap(gateway.metadata.name),
    }),
    context.client.get<NonNullable<Observed['deployment']>>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: workload,
    }),
    gateway.spec.autoscaling?.enabled
      ? context.client.get<NonNullable<Observed['autoscaler']>>({
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          namespace,
          name: workload,
        })
      : undefined,
  ]);
  return { configMap, observed: { deployment, autoscaler } satisfies Observed };
}

async function servedMonitoringApis(gateway: GatewayObject, context: ReconcileContext) {
  const monitoring = gateway.spec.monitoring;
  const check = (on: boolean | undefined, kind: string) =>
    on ? context.client.serves('monitoring.coreos.com/v1', kind) : Promise.resolve(false);
  const [serviceMonitor, prometheusRule] = await Promise.all([
    check(monitoring?.serviceMonitor?.enabled, 'ServiceMonitor'),
    check(monitoring?.prometheusRule?.enabled, 'PrometheusRule'),
  ]);
  return { serviceMonitor, prometheusRule };
}

/** Whether the Ingress the spec asks for is rendered, and if not which field to change. */
function ingressCondition(refused: IngressRefusal | undefined): ConditionInput {
  return refused
    ? { type: 'IngressAllowed', status: 'False', ...refused }
    : { type: 'IngressAllowed', status: 'True', reason: 'Allowed' };
}

export function gatewayReconciler(settings: RenderSettings): KindReconciler<GatewayObject> {
  return {
    kind: KIND,
    childTypes: GATEWAY_CHILD_TYPES,
    dependents: gatewayDependents,
    async reconcile(object, context): Promise<Desired> {
      const gateway: GatewayObject = { ...object, spec: parseSpec(KIND, object) as GatewaySpec };
      // A missing explicitly named revocation list stops here, before anything is applied.
      const revocations = await resolveRevocations(gateway, context);
      const { configMap, observed } = await observe(gateway, context);
      const [plugins, cluster, routes, federations, serves] = await Promise.all([
        resolvePlugins(gateway, context, configMap),
        resolveCluster(gateway, context),
        resolveRoutes(gateway, context),
        resolveFederations(gateway, context),
        servedMonitoringApis(gateway, context),
      ]);
      const inputs: GatewayInputs = {
        plugins: withInjected(plugins.plugins, [cluster.plugin]),
        pluginSetBound: gateway.spec.pluginSetRef !== undefined,
        revocations: revocations.document,
        clusterBlock: cluster.block,
        credentials: cluster.credentials,
        credentialsHash: cluster.credentialsHash,
        ...routes,
        ...federations,
        serves,
        settings,
        liveReplicas: observed.deployment?.spec?.replicas,
      };
      const rendered = renderGateway(gateway, inputs, plugins.plugins);
      const refused = await ingressRefusal(
        gateway,
        gatewayIngressRequest(gateway.spec),
        settings.ingressPolicy,
        context.client,
      );
      const dependencies = [
        plugins.condition,
        revocations.condition,
        cluster.condition,
        monitoringCondition(gateway, serves),
        ...(gateway.spec.ingress ? [ingressCondition(refused)] : []),
      ];
      return {
        children: rendered.children.filter((child) => !(refused && child.kind === 'Ingress')),
        status: {
          ...replicaStatus(observed),
          configHash: rendered.hashes.config,
          pluginSetHash: rendered.hashes.plugins,
          ...(rendered.hashes.revocations ? { revocationListHash: rendered.hashes.revocations } : {}),
        },
        conditions: [
          ...replicaConditions(gateway, observed, rendered.hashes.config),
          degradedCondition(dependencies),
          ...dependencies,
        ],
      };
    },
  };
}
