import { z } from 'zod';
import { commonStatusFields, count, freeform, listMap, nameRef, withRules } from './common.ts';

/** Capabilities that take no argument and so can be granted by name. */
export const GRANTABLE_CAPABILITIES = [
  'audit_write',
  'cluster_leadership_acquire',
  'cluster_lock_acquire',
  'cluster_peer_read',
  'http_route_serve',
  'metric_emit',
  'network_outbound',
  'transport_listen',
  'unbounded_subscriptions',
] as const;

export const pluginIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(253)
  .regex(
    /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/,
    'must be a reverse-DNS plugin id such as dev.mcpg.identity.workload',
  );

export const pluginSetSpecSchema = withRules(
  z.strictObject({
    entries: listMap(
      z.strictObject({
        id: pluginIdSchema.describe(
          'Plugin id in reverse-DNS form; must equal the MCPGPlugin’s spec.pluginId.',
        ),
        pluginRef: nameRef('The cluster-scoped MCPGPlugin providing this entry.'),
        enabled: z.boolean().default(true).describe('A disabled entry is skipped but still counted.'),
        enforce: z
          .boolean()
          .default(true)
          .describe('When false the plugin runs in shadow mode: decisions are logged, not enforced.'),
        config: freeform('Plugin configuration passed through to the gateway.').optional(),
      }),
      'id',
      'Plugins in load order (identity, then policy, then audit chains depend on it); ids are unique.',
    )
      .min(1, 'needs at least one entry')
      .max(64),
    capabilityGrants: z
      .record(
        pluginIdSchema,
        z.array(z.enum(GRANTABLE_CAPABILITIES)).min(1, 'must grant at least one capability').max(16),
      )
      .refine((grants) => Object.keys(grants).length <= 64, 'may grant to at most 64 plugins')
      .meta({ maxProperties: 64 })
      .optional()
      .describe('Capabilities granted per plugin id; every key must be an entry id.'),
  }),
  'An ordered list of plugins bound to gateways in this namespace.',
  [
    {
      cel: '!has(self.capabilityGrants) || self.capabilityGrants.all(id, self.entries.exists(e, e.id == id))',
      message: 'every capabilityGrants key must be the id of an entry',
      holds: (s) => Object.keys(s.capabilityGrants ?? {}).every((id) => s.entries.some((e) => e.id === id)),
    },
  ],
);

export const pluginSetStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    resolvedEntries: count('Entries resolved to a verified, unrevoked plugin.').optional(),
    totalEntries: count('Entries in the spec, enabled or not.').optional(),
    resolvedHash: z.string().optional().describe('sha256 of the resolved plugin list.'),
    resolved: z
      .array(
        z.strictObject({
          id: z.string().describe('Entry id (the plugin id).'),
          pluginRef: z.string().describe('Name of the MCPGPlugin that provides it.'),
          artifact: z.string().describe('Digest-pinned reference the gateway pods fetch and check.'),
          digest: z.string().describe('sha256 digest the artifact must match.'),
          enforce: z.boolean().describe('False runs the plugin in shadow mode.'),
          config: freeform('Plugin configuration from the entry.').optional(),
          capabilities: z.array(z.string()).optional().describe('Capabilities granted to this plugin.'),
        }),
      )
      .optional()
      .describe(
        'Enabled entries resolved to verified, unrevoked plugins, in load order; what gateways load.',
      ),
    failedEntries: z
      .array(
        z.strictObject({
          id: z.string().describe('Entry id.'),
          reason: z.string().describe('Why it failed, such as PluginNotFound or PluginRevoked.'),
          message: z.string().optional().describe('Details and what to do.'),
        }),
      )
      .optional()
      .describe('Entries that could not be resolved.'),
  })
  .describe('Observed state of the plugin set.');

export type PluginSetSpec = z.infer<typeof pluginSetSpecSchema>;
/** One entry of `status.resolved`: what the plugin-set function publishes and gateways load. */
export type ResolvedPluginEntry = NonNullable<z.infer<typeof pluginSetStatusSchema>['resolved']>[number];
