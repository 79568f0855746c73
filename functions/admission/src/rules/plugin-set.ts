import {
  tenantAllows,
  type FieldError,
  type PluginSetSpec,
  type PluginSpec,
} from '@mcpg-functions/shared/api';
import type { ClusterLookups, Named } from '../lookups.ts';
import type { CrossObjectRule } from './context.ts';

async function pluginsOf(
  spec: PluginSetSpec,
  lookups: ClusterLookups,
): Promise<(Named<PluginSpec> | undefined)[]> {
  return Promise.all(spec.entries.map((entry) => lookups.plugin(entry.pluginRef.name)));
}

/** Entries must name the plugin they reference, and the namespace's tenant must allow each one. */
export const pluginSetRules: CrossObjectRule<PluginSetSpec> = async ({ namespace, spec, lookups }) => {
  const plugins = await pluginsOf(spec, lookups);
  const tenant = namespace ? await lookups.tenantOf(namespace) : undefined;
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  spec.entries.forEach((entry, index) => {
    const plugin = plugins[index];
    const at = `spec.entries[${index}]`;
    if (!plugin) {
      warnings.push(
        `${at}.pluginRef: MCPGPlugin ${entry.pluginRef.name} does not exist yet; the entry stays unresolved until it does`,
      );
    } else if (plugin.spec.pluginId !== entry.id) {
      errors.push({
        path: `${at}.id`,
        message: `must equal spec.pluginId of MCPGPlugin ${plugin.name} (${plugin.spec.pluginId}) (got ${JSON.stringify(entry.id)})`,
      });
    }
    if (tenant && !tenantAllows(tenant.spec, entry, plugin?.spec)) {
      errors.push({
        path: `${at}.pluginRef`,
        message: `names ${entry.pluginRef.name} (${entry.id}), which tenant ${tenant.name} does not allow; add it to that MCPGTenant's spec.allowedPlugins`,
      });
    }
  });
  return { errors, warnings };
};
