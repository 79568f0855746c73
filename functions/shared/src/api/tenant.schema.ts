import { z } from 'zod';
import { commonStatusFields, count, countSet, dnsLabel, nonBlank, withRules } from './common.ts';

const quota = (what: string) => count(`Most ${what} allowed across the tenant’s namespaces.`).optional();

export const tenantSpecSchema = z
  .strictObject({
    namespaces: z
      .array(dnsLabel)
      .min(1, 'needs at least one namespace')
      .max(256)
      .refine((list) => new Set(list).size === list.length, 'must not list a namespace twice')
      .meta({
        description:
          'Existing namespaces that belong to this tenant; a namespace belongs to one tenant at most.',
        'x-kubernetes-list-type': 'set',
      }),
    allowedPlugins: z
      .array(
        withRules(
          z.strictObject({
            name: z
              .string()
              .min(1)
              .optional()
              .describe('MCPGPlugin name or plugin id; "*" allows every plugin.'),
            registryPrefix: z
              .string()
              .min(1)
              .optional()
              .describe('Allows plugins whose OCI image starts with this.'),
          }),
          'A plugin the tenant may use, by name or id, or by image prefix.',
          [
            {
              cel: 'has(self.name) || has(self.registryPrefix)',
              message: 'set name or registryPrefix',
              holds: (a) => countSet(a.name, a.registryPrefix) > 0,
            },
          ],
        ),
      )
      .optional()
      .describe('Plugins the tenant’s plugin sets may use; an empty list allows none.'),
    quotas: z
      .strictObject({
        maxGateways: quota('MCPGGateways'),
        maxPluginSets: quota('MCPGPluginSets'),
        maxRoutes: quota('MCPGRoutes'),
        maxReplicasPerGateway: count(
          'Highest replica count (or autoscaling ceiling) of one gateway.',
        ).optional(),
      })
      .optional()
      .describe('Object counts and sizes the tenant may use.'),
    identityAttribute: z
      .strictObject({
        key: nonBlank('Identity attribute name, such as tenant.'),
        value: nonBlank('Value callers of this tenant carry.'),
      })
      .optional()
      .describe('The attribute route access rules check to tell this tenant’s callers apart.'),
  })
  .describe('A tenant boundary: owned namespaces, plugin allowlist and quotas.');

export const tenantStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    boundNamespaces: z.array(z.string()).optional().describe('Namespaces found and labelled.'),
    observed: z
      .strictObject({
        gateways: count('Gateways in the tenant’s namespaces.').default(0),
        pluginSets: count('Plugin sets in the tenant’s namespaces.').default(0),
        routes: count('Routes in the tenant’s namespaces.').default(0),
      })
      .optional()
      .describe('Counts seen at the last reconcile.'),
  })
  .describe('Observed state of the tenant.');

export type TenantSpec = z.infer<typeof tenantSpecSchema>;
