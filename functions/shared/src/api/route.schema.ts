import { z } from 'zod';
import { commonStatusFields, count, dnsLabel, listMap, nonBlank, stringMap } from './common.ts';
import { pluginIdSchema } from './plugin-set.schema.ts';

const chain = (what: string) =>
  z.array(pluginIdSchema).optional().describe(`Plugin ids of the ${what} chain for this route.`);

export const routeSpecSchema = z
  .strictObject({
    gatewayRef: z
      .strictObject({
        name: nonBlank('Name of the MCPGGateway.'),
        namespace: dnsLabel.optional().describe('Namespace of the gateway; the route’s own when unset.'),
      })
      .describe('The gateway this route attaches to; it must accept the route’s namespace.'),
    match: z
      .strictObject({
        tools: listMap(
          z.strictObject({ id: nonBlank('Tool capability id, such as orders.list.') }),
          'id',
          'Tools this route grants; ids are unique.',
        )
          .min(1, 'needs at least one tool')
          .max(1024),
      })
      .describe('What the route matches.'),
    identityChain: chain('identity'),
    policyChain: chain('policy'),
    auditChain: chain('audit'),
    attributes: stringMap(
      'Identity attributes the access rule requires; the tenant’s identityAttribute key (tenant by default) selects who may call.',
    ).optional(),
  })
  .describe('Tool access for one tenant through a shared gateway.');

export const routeStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    matchedTools: count('Tools the route grants.').optional(),
    boundGateway: z.string().optional().describe('namespace/name of the gateway the route is bound to.'),
  })
  .describe('Observed state of the route.');

export type RouteSpec = z.infer<typeof routeSpecSchema>;
