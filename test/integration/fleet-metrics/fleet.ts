/**
 * A small fleet of all ten kinds in several states, as the functions would leave them: each object from
 * docs/examples, renamed, with its status written through the status subresource.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { example, type Manifest } from '../../fixtures/examples.ts';
import { applyWith } from '../support/crds.ts';
import { setStatus } from '../gateway/fixtures.ts';

export interface FleetObject {
  manifest: Manifest;
  status: Record<string, unknown>;
}

const AT = '2026-11-01T09:00:00Z';
const condition = (type: string, status: 'True' | 'False' | 'Unknown', reason: string) => ({
  type,
  status,
  reason,
  message: reason,
  lastTransitionTime: AT,
});
const ready = condition('Ready', 'True', 'Ready');

/** A gateway whose Deployment has `available` of the `wanted` pods. */
function gatewayStatus(wanted: number, available: number) {
  const counts = { replicas: available, readyReplicas: available, availableReplicas: available };
  return { ...counts, conditions: [available < wanted ? condition('Ready', 'False', 'Scaling') : ready] };
}

function named(
  kind: string,
  name: string,
  namespace: string | undefined,
  spec: Record<string, unknown> = {},
) {
  const manifest = example(kind, spec);
  manifest.metadata = namespace ? { name, namespace } : { name };
  return manifest;
}

/** Cluster-scoped names carry `suffix`, so the fleet does not meet other test files' objects. */
export function fleet(namespace: string, suffix: string): FleetObject[] {
  const ns = (kind: string, name: string, spec?: Record<string, unknown>) =>
    named(kind, name, namespace, spec);
  const cluster = (kind: string, name: string, spec?: Record<string, unknown>) =>
    named(kind, `${name}-${suffix}`, undefined, spec);
  const plugin = (name: string) => `${name}-${suffix}`;
  return [
    {
      manifest: ns('MCPGServer', 'web-running'),
      status: { phase: 'Running', replicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [ready] },
    },
    {
      manifest: ns('MCPGServer', 'web-pending'),
      status: { phase: 'Pending', conditions: [condition('Ready', 'False', 'DeploymentPending')] },
    },
    // Never reconciled: no status at all.
    { manifest: ns('MCPGServer', 'web-new'), status: {} },
    { manifest: ns('MCPGGateway', 'gw-autoscaled'), status: gatewayStatus(3, 2) },
    {
      manifest: ns('MCPGGateway', 'gw-short', { autoscaling: undefined, replicas: 3 }),
      status: gatewayStatus(3, 1),
    },
    {
      manifest: ns('MCPGGateway', 'gw-full', { autoscaling: undefined, replicas: 2 }),
      status: gatewayStatus(2, 2),
    },
    {
      manifest: ns('MCPGPluginSet', 'production', {
        entries: [
          { id: 'dev.mcpg.identity.workload', pluginRef: { name: plugin('identity') } },
          { id: 'dev.mcpg.audit.stdout', pluginRef: { name: plugin('audit') } },
        ],
        capabilityGrants: undefined,
      }),
      status: {
        resolvedEntries: 1,
        totalEntries: 2,
        failedEntries: [{ id: 'dev.mcpg.audit.stdout', reason: 'PluginRevoked' }],
        conditions: [condition('Ready', 'False', 'EntriesFailed')],
      },
    },
    {
      manifest: cluster('MCPGPlugin', 'identity'),
      status: {
        signatureValid: true,
        revokedBySha: false,
        conditions: [condition('Verified', 'True', 'Verified'), ready],
      },
    },
    {
      manifest: cluster('MCPGPlugin', 'audit'),
      status: {
        signatureValid: true,
        revokedBySha: true,
        conditions: [condition('Verified', 'True', 'Verified'), condition('Ready', 'False', 'Revoked')],
      },
    },
    // Refused, but no plugin set lists it: nothing runs without it.
    {
      manifest: cluster('MCPGPlugin', 'unused'),
      status: {
        signatureValid: false,
        conditions: [
          condition('Verified', 'False', 'SignatureInvalid'),
          condition('Ready', 'False', 'NotVerified'),
        ],
      },
    },
    {
      manifest: ns('MCPGInstance', 'alice'),
      status: {
        phase: 'Running',
        startedAt: '2026-11-01T08:00:00Z',
        lastUsedAt: '2026-11-01T08:30:00Z',
        expiresAt: '2099-01-01T00:00:00Z',
        conditions: [ready],
      },
    },
    // Its lifetime ran out a minute after the epoch, which is where promtool's clock starts.
    {
      manifest: ns('MCPGInstance', 'bob'),
      status: {
        phase: 'Idle',
        startedAt: '1970-01-01T00:00:00Z',
        expiresAt: '1970-01-01T00:01:00Z',
        conditions: [condition('Ready', 'False', 'Idle')],
      },
    },
    { manifest: ns('MCPGRoute', 'orders'), status: { matchedTools: 2, conditions: [ready] } },
    { manifest: cluster('MCPGCluster', 'redis'), status: { boundGateways: 1, conditions: [ready] } },
    {
      manifest: cluster('MCPGTenant', 'team'),
      status: { observed: { gateways: 2, pluginSets: 1, routes: 5 }, conditions: [ready] },
    },
    {
      manifest: cluster('MCPGRevocationList', 'revoked'),
      status: { observedRevocations: 3, conditions: [ready] },
    },
    { manifest: cluster('MCPGPluginMirror', 'harbor'), status: { reachable: true, conditions: [ready] } },
  ];
}

export async function createFleet(config: KubeConfig, objects: readonly FleetObject[]): Promise<void> {
  for (const { manifest, status } of objects) {
    await applyWith(config, manifest);
    if (Object.keys(status).length > 0) await setStatus(config, manifest, status);
  }
}
