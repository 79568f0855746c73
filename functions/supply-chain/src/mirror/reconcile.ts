/**
 * MCPGPluginMirror: reachable only when the registry behind it answers GET /v2/ (a Service that exists is not
 * enough), and how many plugins pull through it.
 */
import { API_VERSION, requireKind, type PluginMirrorSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import { parseSpec, type Desired, type KindReconciler } from '@mcpg-functions/shared/runtime';
import { mirrorHost, registryClient } from '../plugin/pull-location.ts';
import type { SupplyChainSettings } from '../settings.ts';

const KIND = requireKind('MCPGPluginMirror');

type MirrorObject = KubeObject & { spec: PluginMirrorSpec };
type PluginView = KubeObject & { spec?: { oci?: { mirrorRef?: { name?: string } } } };

export function mirrorReconciler(settings: SupplyChainSettings): KindReconciler<MirrorObject> {
  return {
    kind: KIND,
    childTypes: [],
    async reconcile(object, context): Promise<Desired> {
      const spec = parseSpec(KIND, object) as PluginMirrorSpec;
      const host = mirrorHost(spec);
      const probe = await registryClient(settings, host, {
        insecure: spec.endpoint.insecure,
        credentials: undefined,
      }).ping();
      const plugins = await context.client.list<PluginView>({ apiVersion: API_VERSION, kind: 'MCPGPlugin' });
      const proxied = plugins.filter((p) => p.spec?.oci?.mirrorRef?.name === object.metadata.name).length;
      return {
        children: [],
        status: { reachable: probe.reachable, proxiedReferences: proxied, endpointHost: host },
        conditions: [
          probe.reachable
            ? { type: 'Ready', status: 'True', reason: 'Reachable', message: probe.detail }
            : { type: 'Ready', status: 'False', reason: 'Unreachable', message: probe.detail },
        ],
      };
    },
    /** A plugin naming this mirror changes its count. */
    async dependents(key: ObjectKey, context): Promise<ObjectKey[]> {
      if (key.kind !== 'MCPGPlugin' || !key.apiVersion.startsWith('mcpg.dev/')) return [];
      const plugin = await context.client.get<PluginView>(key);
      const name = plugin?.spec?.oci?.mirrorRef?.name;
      const mirrors = await context.client.list({ apiVersion: API_VERSION, kind: KIND.kind });
      // A deleted plugin no longer says which mirror it used: recount them all.
      return mirrors
        .filter((m) => plugin === undefined || m.metadata.name === name)
        .map((m) => ({ apiVersion: API_VERSION, kind: KIND.kind, name: m.metadata.name }));
    },
  };
}
