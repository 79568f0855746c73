import { z } from 'zod';
import { commonStatusFields, count, listMap, nameRef, nonBlank } from './common.ts';

export const CLUSTER_BACKENDS = ['single_node', 'redis', 'nats', 'consul', 'etcd'] as const;

export const clusterSpecSchema = z
  .strictObject({
    backend: z
      .enum(CLUSTER_BACKENDS)
      .default('single_node')
      .describe('Coordination backend; its plugin is dev.mcpg.cluster.<backend> (none for single_node).'),
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({
        'x-kubernetes-preserve-unknown-fields': true,
        description:
          'Backend settings flattened into the gateway’s cluster block. Empty for single_node, required otherwise. ' +
          'Plaintext transports (redis://, http://, non-https etcd endpoints, NATS without TLS) need allow_insecure_transport: true.',
      }),
    pluginRef: nameRef(
      'The MCPGPlugin implementing the backend; the cluster is Ready only when it is.',
    ).optional(),
    credentialRefs: listMap(
      z.strictObject({
        name: nonBlank('Credential name, exposed to the gateway as cred://cluster/<name>.'),
        secretName: nonBlank('Secret in each bound gateway’s namespace.'),
        key: z.string().optional().describe('Key inside the Secret; the credential name when unset.'),
      }),
      'name',
      'Secrets projected into every bound gateway; names are unique.',
    )
      .max(64)
      .optional(),
  })
  .describe('A coordination backend shared by the gateways that reference it.');

export const clusterStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    pluginId: z.string().optional().describe('Plugin id of the backend.'),
    boundGateways: count('Gateways that reference this cluster.').optional(),
    configHash: z.string().optional().describe('sha256 of the rendered cluster block.'),
  })
  .describe('Observed state of the cluster backend.');

export type ClusterSpec = z.infer<typeof clusterSpecSchema>;
