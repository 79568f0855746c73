/** The reads a tenant pass needs: every tenant's claim, the listed namespaces, and what they hold. */
import { API_VERSION, type TenantClaim } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { ReconcileContext } from '@mcpg-functions/shared/runtime';
import { storedEntries, storedNamespaces } from './stored.ts';
import type { Inventory, NamespacedObject } from './types.ts';

/** Claims of every tenant not being deleted: a tenant on its way out yields its namespaces. */
export async function readClaims(context: ReconcileContext): Promise<TenantClaim[]> {
  const tenants = await context.client.list<KubeObject & { spec?: unknown }>({
    apiVersion: API_VERSION,
    kind: 'MCPGTenant',
  });
  return tenants
    .filter((t) => !t.metadata.deletionTimestamp)
    .map((t) => ({
      name: t.metadata.name,
      creationTimestamp: t.metadata.creationTimestamp,
      namespaces: storedNamespaces(t.spec),
    }));
}

/** The listed namespaces that exist, by name. */
export async function readNamespaces(
  names: readonly string[],
  context: ReconcileContext,
): Promise<Map<string, KubeObject>> {
  const found = await Promise.all(
    names.map((name) => context.client.get({ apiVersion: 'v1', kind: 'Namespace', name })),
  );
  return new Map(
    found
      .filter((n): n is KubeObject => n !== undefined && !n.metadata.deletionTimestamp)
      .map((n) => [n.metadata.name, n]),
  );
}

async function listIn(
  kind: string,
  namespaces: readonly string[],
  context: ReconcileContext,
): Promise<NamespacedObject[]> {
  const lists = await Promise.all(
    namespaces.map((namespace) =>
      context.client.list<NamespacedObject>({ apiVersion: API_VERSION, kind, namespace }),
    ),
  );
  return lists.flat();
}

function pluginNames(pluginSets: readonly NamespacedObject[]): string[] {
  return [...new Set(pluginSets.flatMap((set) => storedEntries(set.spec).map((e) => e.pluginRef.name)))];
}

export async function readInventory(
  namespaces: readonly string[],
  context: ReconcileContext,
): Promise<Inventory> {
  const [gateways, pluginSets, routes] = await Promise.all([
    listIn('MCPGGateway', namespaces, context),
    listIn('MCPGPluginSet', namespaces, context),
    listIn('MCPGRoute', namespaces, context),
  ]);
  const names = pluginNames(pluginSets);
  const plugins = await Promise.all(
    names.map((name) => context.client.get({ apiVersion: API_VERSION, kind: 'MCPGPlugin', name })),
  );
  return { gateways, pluginSets, routes, plugins: new Map(names.map((name, i) => [name, plugins[i]])) };
}
