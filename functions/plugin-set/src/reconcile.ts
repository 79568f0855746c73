/** MCPGPluginSet: no children; the resolved plugin list in status is what gateways load. */
import { API_VERSION, requireKind, type PluginSetSpec } from '@mcpg-functions/shared/api';
import { keyOf, type KubeObject, type ObjectKey } from '@mcpg-functions/shared/kube';
import {
  parseSpec,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { setConditions } from './lifecycle.ts';
import { referencedPlugins, resolvePluginSet } from './resolve.ts';
import type { PluginObject, PluginSetObject } from './types.ts';

const KIND = requireKind('MCPGPluginSet');
const PLUGIN_KIND = 'MCPGPlugin';

async function readPlugins(set: PluginSetObject, context: ReconcileContext) {
  const names = referencedPlugins(set);
  const plugins = await Promise.all(
    names.map((name) =>
      context.client.get<PluginObject>({ apiVersion: API_VERSION, kind: PLUGIN_KIND, name }),
    ),
  );
  return new Map(names.map((name, index) => [name, plugins[index]]));
}

/** Whether a set, as stored (spec not parsed), names the plugin in any entry. */
function references(set: KubeObject, pluginName: string): boolean {
  const entries: unknown = (set.spec as { entries?: unknown } | undefined)?.entries;
  if (!Array.isArray(entries)) return false;
  return entries.some(
    (entry) => (entry as { pluginRef?: { name?: unknown } } | null)?.pluginRef?.name === pluginName,
  );
}

export function pluginSetReconciler(): KindReconciler<PluginSetObject> {
  return {
    kind: KIND,
    childTypes: [],
    async reconcile(object, context): Promise<Desired> {
      const set: PluginSetObject = { ...object, spec: parseSpec(KIND, object) as PluginSetSpec };
      const resolution = resolvePluginSet(set, await readPlugins(set, context));
      return {
        children: [],
        status: {
          resolved: resolution.resolved,
          resolvedEntries: resolution.resolved.length,
          totalEntries: resolution.total,
          resolvedHash: resolution.hash,
          failedEntries: resolution.failed,
        },
        conditions: setConditions({
          resolved: resolution.resolved.length,
          enabled: resolution.enabled,
          total: resolution.total,
          failed: resolution.failed,
        }),
      };
    },
    /** A changed MCPGPlugin re-resolves exactly the sets, in any namespace, that reference it. */
    async dependents(key, context): Promise<ObjectKey[]> {
      if (key.apiVersion !== API_VERSION || key.kind !== PLUGIN_KIND) return [];
      const sets = await context.client.list({ apiVersion: API_VERSION, kind: KIND.kind });
      return sets.filter((set) => references(set, key.name)).map(keyOf);
    },
  };
}
