/**
 * The plugins a gateway loads, from its plugin set's `status.resolved`. A set that is missing or not Ready
 * does not empty the gateway: it keeps the list its pods were last given (read back from its ConfigMap).
 */
import { API_VERSION, type Condition } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { ConditionInput, ReconcileContext } from '@mcpg-functions/shared/runtime';
import { z } from 'zod';
import { CONDITION, REASON } from '../lifecycle.ts';
import { CONFIG_KEYS } from '../resources/names.ts';
import type { GatewayObject, PluginToLoad } from '../types.ts';

const pluginList = z.array(
  z.object({
    id: z.string().min(1),
    pluginRef: z.string(),
    artifact: z.string().min(1),
    digest: z.string().min(1),
    enforce: z.boolean().default(true),
    config: z.record(z.string(), z.unknown()).optional(),
    capabilities: z.array(z.string()).optional(),
  }),
);

type PluginSetObject = KubeObject & { status?: { resolved?: unknown; conditions?: Condition[] } };

export interface PluginResolution {
  plugins: PluginToLoad[];
  condition: ConditionInput;
}

/** The plugin list recorded in the gateway's ConfigMap, or none when absent or unreadable. */
export function lastKnownGood(configMap: KubeObject | undefined): PluginToLoad[] {
  const text = (configMap?.data as Record<string, string> | undefined)?.[CONFIG_KEYS.plugins];
  if (!text) return [];
  try {
    const parsed = pluginList.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** What a plugin set offers: its resolved list when Ready, otherwise why not. Pure. */
export function pluginSetState(
  setName: string,
  set: PluginSetObject | undefined,
): { plugins: PluginToLoad[] } | { reason: string; message: string } {
  if (!set) {
    return {
      reason: REASON.pluginSetNotFound,
      message: `spec.pluginSetRef names MCPGPluginSet "${setName}", which does not exist in this namespace; create it or fix the name`,
    };
  }
  const ready = set.status?.conditions?.find((c) => c.type === 'Ready');
  const resolved = pluginList.safeParse(set.status?.resolved);
  if (ready?.status === 'True' && resolved.success) return { plugins: resolved.data };
  return {
    reason: REASON.pluginSetNotReady,
    message: `MCPGPluginSet "${setName}" is not ready (${notReadyWhy(ready)})`,
  };
}

function notReadyWhy(ready: Condition | undefined): string {
  if (!ready) return 'it has no Ready condition yet';
  if (ready.status === 'True') return 'its status.resolved is missing or malformed';
  return ready.message ?? ready.reason;
}

export async function resolvePlugins(
  gateway: GatewayObject,
  context: ReconcileContext,
  currentConfigMap: KubeObject | undefined,
): Promise<PluginResolution> {
  const ref = gateway.spec.pluginSetRef;
  if (!ref) {
    return {
      plugins: [],
      condition: {
        type: CONDITION.pluginSet,
        status: 'True',
        reason: REASON.noPluginSet,
        message: 'no plugin set referenced',
      },
    };
  }
  const set = await context.client.get<PluginSetObject>({
    apiVersion: API_VERSION,
    kind: 'MCPGPluginSet',
    namespace: gateway.metadata.namespace,
    name: ref.name,
  });
  const state = pluginSetState(ref.name, set);
  if ('plugins' in state) {
    return {
      plugins: state.plugins,
      condition: {
        type: CONDITION.pluginSet,
        status: 'True',
        reason: REASON.pluginSetResolved,
        message: `${state.plugins.length} plugins resolved`,
      },
    };
  }
  const kept = lastKnownGood(currentConfigMap);
  return {
    plugins: kept,
    condition: {
      type: CONDITION.pluginSet,
      status: 'False',
      reason: state.reason,
      message: `${state.message}; keeping the ${kept.length} plugins the gateway already runs`,
    },
  };
}
