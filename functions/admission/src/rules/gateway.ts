import { replicaCeiling, type GatewaySpec } from '@mcpg-functions/shared/api';
import { tenantOf } from '../lookups.ts';
import { NOTHING, type CrossObjectRule } from './context.ts';

/** The tenant's replica cap bounds the gateway's ceiling: the autoscaler's maximum when it is on. */
export const gatewayRules: CrossObjectRule<GatewaySpec> = async ({ namespace, spec, lookups }) => {
  if (!namespace) return NOTHING;
  const tenant = await tenantOf(lookups, namespace);
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
};
