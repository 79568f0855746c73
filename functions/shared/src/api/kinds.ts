/**
 * The ten kinds of mcpg.dev/v1alpha2: names, scope, printer columns and schemas in one table, from
 * which the CRDs, the admission paths and the offline validator are all derived.
 */
import type { z } from 'zod';
import { clusterSpecSchema, clusterStatusSchema } from './cluster.schema.ts';
import { gatewaySpecSchema, gatewayStatusSchema } from './gateway.schema.ts';
import { instanceSpecSchema, instanceStatusSchema } from './instance.schema.ts';
import { pluginMirrorSpecSchema, pluginMirrorStatusSchema } from './plugin-mirror.schema.ts';
import { pluginSetSpecSchema, pluginSetStatusSchema } from './plugin-set.schema.ts';
import { pluginSpecSchema, pluginStatusSchema } from './plugin.schema.ts';
import { revocationListSpecSchema, revocationListStatusSchema } from './revocation-list.schema.ts';
import { routeSpecSchema, routeStatusSchema } from './route.schema.ts';
import { serverSpecSchema, serverStatusSchema } from './server.schema.ts';
import { tenantSpecSchema, tenantStatusSchema } from './tenant.schema.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date' | 'number';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  columns: PrinterColumn[];
  /**
   * Set for kinds whose children (a Service above all) are named after the object: the name must then also be
   * a valid child name, a DNS label without dots (length is fine: long child names are shortened with a hash).
   */
  namesChildren?: boolean;
}

/** What a name must look like when children are named after it; the CRD's CEL rule and validate.ts share it. */
export const CHILD_NAMING_NAME = {
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  message:
    'metadata.name must be lower-case letters, digits and "-" (no "."), since the Services and other children are named after it',
} as const;

const condition = (type: string): PrinterColumn => ({
  name: type,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
});
const ready = condition('Ready');
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function kind(
  name: string,
  shortName: string,
  scope: KindDefinition['scope'],
  rest: Pick<KindDefinition, 'description' | 'spec' | 'status' | 'columns' | 'namesChildren'>,
): KindDefinition {
  const lower = name.toLowerCase();
  return { kind: name, plural: `${lower}s`, singular: lower, shortName, scope, ...rest };
}

export const KINDS: readonly KindDefinition[] = [
  kind('MCPGGateway', 'mcpgw', 'Namespaced', {
    namesChildren: true,
    description: 'An MCP gateway deployment and everything it needs to run.',
    spec: gatewaySpecSchema,
    status: gatewayStatusSchema,
    columns: [
      { name: 'Image', type: 'string', jsonPath: '.spec.image.tag' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Plugins', type: 'string', jsonPath: '.spec.pluginSetRef.name' },
      ready,
      condition('Available'),
      age,
    ],
  }),
  kind('MCPGPluginSet', 'mcpgps', 'Namespaced', {
    description: 'An ordered list of verified plugins for the gateways of a namespace.',
    spec: pluginSetSpecSchema,
    status: pluginSetStatusSchema,
    columns: [{ name: 'Plugins', type: 'integer', jsonPath: '.status.resolvedEntries' }, ready, age],
  }),
  kind('MCPGRoute', 'mcpgr', 'Namespaced', {
    description: 'Tool access for one tenant through a shared gateway.',
    spec: routeSpecSchema,
    status: routeStatusSchema,
    columns: [
      { name: 'Gateway', type: 'string', jsonPath: '.spec.gatewayRef.name' },
      { name: 'Tools', type: 'integer', jsonPath: '.status.matchedTools' },
      { ...condition('GatewayBound'), name: 'Bound' },
      ready,
      age,
    ],
  }),
  kind('MCPGServer', 'mcpgs', 'Namespaced', {
    namesChildren: true,
    description: 'An MCP server run as a Deployment and Service, optionally federated into a gateway.',
    spec: serverSpecSchema,
    status: serverStatusSchema,
    columns: [
      { name: 'Transport', type: 'string', jsonPath: '.spec.transport' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'URL', type: 'string', jsonPath: '.status.url', priority: 1 },
      { name: 'Image', type: 'string', jsonPath: '.spec.image', priority: 1 },
      age,
    ],
  }),
  kind('MCPGInstance', 'mcpgi', 'Namespaced', {
    namesChildren: true,
    description: 'A per-subject MCP server pod, collected when idle or too old.',
    spec: instanceSpecSchema,
    status: instanceStatusSchema,
    columns: [
      { name: 'Subject', type: 'string', jsonPath: '.spec.subjectKey' },
      { name: 'Isolation', type: 'string', jsonPath: '.spec.isolation' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Pod', type: 'string', jsonPath: '.status.podName' },
      { name: 'Last-Used', type: 'date', jsonPath: '.status.lastUsedAt', priority: 1 },
      age,
    ],
  }),
  kind('MCPGPlugin', 'mcpgp', 'Cluster', {
    description: 'A signed plugin artifact in an OCI registry, pulled and verified.',
    spec: pluginSpecSchema,
    status: pluginStatusSchema,
    columns: [
      { name: 'Plugin', type: 'string', jsonPath: '.spec.pluginId' },
      { name: 'Version', type: 'string', jsonPath: '.spec.version' },
      { name: 'Class', type: 'string', jsonPath: '.spec.pluginClass' },
      condition('Verified'),
      { name: 'Revoked', type: 'boolean', jsonPath: '.status.revokedBySha' },
      ready,
      age,
    ],
  }),
  kind('MCPGCluster', 'mcpgc', 'Cluster', {
    description: 'A coordination backend that gateways bind to.',
    spec: clusterSpecSchema,
    status: clusterStatusSchema,
    columns: [
      { name: 'Backend', type: 'string', jsonPath: '.spec.backend' },
      { name: 'Gateways', type: 'integer', jsonPath: '.status.boundGateways' },
      ready,
      age,
    ],
  }),
  kind('MCPGTenant', 'mcpgt', 'Cluster', {
    description: 'A tenant boundary: namespaces, plugin allowlist and quotas.',
    spec: tenantSpecSchema,
    status: tenantStatusSchema,
    columns: [
      { name: 'Namespaces', type: 'string', jsonPath: '.status.boundNamespaces' },
      { name: 'Gateways', type: 'integer', jsonPath: '.status.observed.gateways' },
      ready,
      age,
    ],
  }),
  kind('MCPGRevocationList', 'mcpgrl', 'Cluster', {
    description: 'Revoked plugin artifacts, digests, signers and keys, enforced fail-closed.',
    spec: revocationListSpecSchema,
    status: revocationListStatusSchema,
    columns: [
      { name: 'Entries', type: 'integer', jsonPath: '.status.observedRevocations' },
      { name: 'Materialised', type: 'integer', jsonPath: '.status.materialisedNamespaces' },
      ready,
      age,
    ],
  }),
  kind('MCPGPluginMirror', 'mcpgm', 'Cluster', {
    description: 'An in-cluster OCI mirror for air-gapped plugin distribution.',
    spec: pluginMirrorSpecSchema,
    status: pluginMirrorStatusSchema,
    columns: [
      { name: 'Upstream', type: 'string', jsonPath: '.spec.upstream.registry' },
      { name: 'Reachable', type: 'boolean', jsonPath: '.status.reachable' },
      { name: 'Proxied', type: 'integer', jsonPath: '.status.proxiedReferences' },
      ready,
      age,
    ],
  }),
];

export function findKind(kindName: string): KindDefinition | undefined {
  return KINDS.find((k) => k.kind === kindName);
}

export function requireKind(kindName: string): KindDefinition {
  const found = findKind(kindName);
  if (!found) throw new Error(`${kindName} is not a mcpg.dev kind`);
  return found;
}
