import { z } from 'zod';
import { commonStatusFields, count, dnsLabel, int32, nonBlank } from './common.ts';

export const pluginMirrorSpecSchema = z
  .strictObject({
    endpoint: z
      .strictObject({
        service: z
          .strictObject({
            namespace: dnsLabel.describe('Namespace of the mirror’s Service.'),
            name: dnsLabel.describe('Name of the mirror’s Service.'),
            port: int32('Service port.').min(1, 'must be between 1 and 65535').max(65535),
            pathPrefix: z.string().optional().describe('Repository prefix inside the mirror.'),
          })
          .describe('The in-cluster registry Service.'),
        insecure: z.boolean().default(false).describe('Talk plain HTTP to the mirror.'),
      })
      .describe('Where the mirror serves.'),
    upstream: z
      .strictObject({
        registry: z
          .string()
          .regex(
            /^[A-Za-z0-9-]+([.:][A-Za-z0-9-]+)+$/,
            'must be a registry host such as ghcr.io or registry:5000',
          )
          .describe('Upstream registry host.'),
        namespace: nonBlank(
          'Repository namespace under the registry; only references below it are mirrored.',
        ),
      })
      .describe('What is mirrored: references starting <registry>/<namespace>/.'),
    auth: z
      .strictObject({
        secretRef: z
          .strictObject({
            secretName: nonBlank('dockerconfigjson Secret in the operator namespace.'),
            key: z.string().default('.dockerconfigjson').describe('Key inside the Secret.'),
          })
          .describe('The Secret with registry credentials.'),
      })
      .optional()
      .describe('Credentials for the mirror.'),
    resyncInterval: z
      .string()
      .regex(/^([0-9]+(s|m|h))+$/, 'must be a duration such as 10m or 1h30m')
      .optional()
      .describe('How often mirrored artifacts are re-checked, such as 1h.'),
  })
  .describe('An in-cluster OCI mirror: verify, then mirror; pulls are rewritten to it and fail closed.');

export const pluginMirrorStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    reachable: z.boolean().optional().describe('Whether the mirror answered GET /v2/.'),
    proxiedReferences: count('Plugins pulled through this mirror.').optional(),
    endpointHost: z.string().optional().describe('host:port of the mirror.'),
  })
  .describe('Observed state of the mirror.');

export type PluginMirrorSpec = z.infer<typeof pluginMirrorSpecSchema>;
