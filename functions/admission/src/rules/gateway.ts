import { replicaCeiling, type GatewaySpec } from '@mcpg-functions/shared/api';
import { checkReferences, secretRead, serviceCreation, type Reference } from './access.ts';
import { combine, NOTHING, type CrossObjectRule, type RuleContext } from './context.ts';
import { gatewayIngressRequest } from '@mcpg-functions/shared/workloads';
import { checkIngress } from './ingress.ts';
import { unwatchedSourceWarnings, type FollowedSource } from './watched.ts';

/** Secrets the gateway's pods and Ingress read, and a Service that reaches beyond the cluster. */
export function gatewayReferences(spec: GatewaySpec): Reference[] {
  const service = spec.service;
  const exposed = service !== undefined && service.type !== 'ClusterIP';
  const annotated = Object.keys(service?.annotations ?? {}).length > 0;
  return [
    ...(spec.imagePullSecrets ?? []).map((s, i) => secretRead(`spec.imagePullSecrets[${i}].name`, s.name)),
    ...(spec.ingress?.tls ?? []).map((t, i) => secretRead(`spec.ingress.tls[${i}].secretName`, t.secretName)),
    ...(exposed ? [serviceCreation('spec.service.type', `Service type ${service.type}`)] : []),
    ...(annotated ? [serviceCreation('spec.service.annotations', 'Service annotations')] : []),
  ];
}

/** The tenant's replica cap bounds the gateway's ceiling: the autoscaler's maximum when it is on. */
async function replicaCap({ namespace, spec, lookups }: RuleContext<GatewaySpec>) {
  if (!namespace) return NOTHING;
  const tenant = await lookups.tenantOf(namespace);
  const cap = tenant?.spec.quotas?.maxReplicasPerGateway;
  const ceiling = replicaCeiling(spec);
  if (!tenant || cap === undefined || ceiling <= cap) return NOTHING;
  const path = spec.autoscaling?.enabled ? 'spec.autoscaling.maxReplicas' : 'spec.replicas';
  return {
    errors: [
      {
        path,
        message: `must be at most ${cap}, the maxReplicasPerGateway of tenant ${tenant.name} (got ${ceiling}); lower it or raise the tenant's quota`,
      },
    ],
    warnings: [],
  };
}

/**
 * The credential Secrets of the MCPGCluster a gateway binds are mounted from the gateway's namespace: binding a
 * cluster reads them, so its author must be able to read them.
 */
async function referencesWithCluster(context: RuleContext<GatewaySpec>) {
  const bound = context.spec.clusterRef?.name;
  const cluster = bound ? await context.lookups.cluster(bound) : undefined;
  const borrowed = (cluster?.spec.credentialRefs ?? []).map((c, i) => ({
    ...secretRead('spec.clusterRef', c.secretName),
    what: `MCPGCluster ${bound ?? ''}, whose spec.credentialRefs[${i}] names Secret ${JSON.stringify(c.secretName)}`,
  }));
  return (spec: GatewaySpec): Reference[] => [
    ...gatewayReferences(spec),
    ...(spec.clusterRef?.name === bound ? borrowed : []),
  ];
}

/** The credential Secrets of the bound MCPGCluster, which the gateway function follows (it rolls the pods). */
async function credentialSources(spec: GatewaySpec | undefined, context: RuleContext<GatewaySpec>) {
  const bound = spec?.clusterRef?.name;
  const cluster = bound ? await context.lookups.cluster(bound) : undefined;
  return (cluster?.spec.credentialRefs ?? []).map((c): FollowedSource => ({
    path: 'spec.clusterRef',
    kind: 'Secret',
    name: c.secretName,
  }));
}

async function followedWarnings(context: RuleContext<GatewaySpec>) {
  // Only a bound cluster's credentials are followed: without one, before or after, there is nothing to warn about.
  if (!context.namespace || (!context.spec.clusterRef?.name && !context.oldSpec?.clusterRef?.name))
    return NOTHING;
  const sources = await credentialSources(context.spec, context);
  const before = context.oldSpec === undefined ? [] : await credentialSources(context.oldSpec, context);
  return unwatchedSourceWarnings(context.lookups, { namespace: context.namespace, sources, before });
}

export const gatewayRules: CrossObjectRule<GatewaySpec> = async (context) => {
  const rights = await checkReferences(context, await referencesWithCluster(context));
  return combine(
    await replicaCap(context),
    rights,
    await checkIngress(context, gatewayIngressRequest),
    rights.errors.length === 0 ? await followedWarnings(context) : NOTHING,
  );
};
