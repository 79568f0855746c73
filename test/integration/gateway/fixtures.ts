/**
 * Objects for the gateway and route tests, written from docs/examples, and a way to set the status other
 * functions publish (plugin sets, plugins, clusters) through the status subresource, as those functions do.
 */
import { findKind } from '@mcpg-functions/shared/api';
import { kubeRequest, resourcePath } from '@mcpg-functions/shared/kube';
import type { KubeConfig } from '@kubernetes/client-node';
import { example, type Manifest } from '../../fixtures/examples.ts';

export const READY = {
  type: 'Ready',
  status: 'True',
  reason: 'Reconciled',
  message: 'ready',
  lastTransitionTime: '2026-11-22T00:00:00Z',
};

export function notReady(message: string) {
  return { ...READY, status: 'False', reason: 'EntriesFailed', message };
}

export const digestOf = (seed: string) =>
  `sha256:${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;

/** A plugin set's resolved entry, as the plugin-set function publishes it. */
export function resolvedEntry(id: string, pluginRef: string) {
  const digest = digestOf(id);
  return {
    id,
    pluginRef,
    artifact: `registry.example/plugins/${pluginRef}@${digest}`,
    digest,
    enforce: true,
  };
}

/** Merge-patches an mcpg.dev object's status subresource. */
export async function setStatus(
  config: KubeConfig,
  object: { kind: string; metadata: { name: string; namespace?: string } },
  status: Record<string, unknown>,
): Promise<void> {
  const kind = findKind(object.kind);
  if (!kind) throw new Error(`unknown kind ${object.kind}`);
  const path = resourcePath({
    apiVersion: 'mcpg.dev/v1alpha2',
    plural: kind.plural,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  });
  await kubeRequest(config, {
    method: 'PATCH',
    path: `${path}/status`,
    body: { status },
    contentType: 'application/merge-patch+json',
  });
}

/** A gateway example variant in a namespace (`spec` fields replaced; undefined removes). */
export function gatewayIn(namespace: string, name: string, spec: Record<string, unknown> = {}): Manifest {
  const gateway = example('MCPGGateway', spec);
  gateway.metadata = { name, namespace };
  return gateway;
}

export function pluginSetIn(namespace: string, name: string): Manifest {
  const set = example('MCPGPluginSet');
  set.metadata = { name, namespace };
  return set;
}

/** The resolved list of the example plugin set, in its order. */
export function exampleResolved(): ReturnType<typeof resolvedEntry>[] {
  const entries = example('MCPGPluginSet').spec.entries as { id: string; pluginRef: { name: string } }[];
  return entries.map((e) => resolvedEntry(e.id, e.pluginRef.name));
}

export function routeIn(
  namespace: string,
  name: string,
  gateway: { namespace: string; name: string },
  spec: Record<string, unknown> = {},
): Manifest {
  const route = example('MCPGRoute', { gatewayRef: gateway, ...spec });
  route.metadata = { name, namespace };
  return route;
}

export function named(kind: string, name: string, spec: Record<string, unknown> = {}): Manifest {
  const object = example(kind, spec);
  object.metadata = { name };
  return object;
}
