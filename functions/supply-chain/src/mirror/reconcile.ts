/**
 * MCPGPluginMirror: reachable only when the registry behind it answers GET /v2/ (a Service that exists is not
 * enough), how many plugins pull through it, and whether each was verified upstream and mirrored (Synced).
 */
import { API_VERSION, requireKind, type PluginMirrorSpec, type PluginSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import {
  parseSpec,
  type ConditionInput,
  type Desired,
  type KindReconciler,
} from '@mcpg-functions/shared/runtime';
import { credentialsFor } from '../oci/auth.ts';
import { startPass, type Pass } from '../pass.ts';
import { mirrorHost, registryClient } from '../plugin/pull-location.ts';
import type { PluginObject } from '../plugin/reconcile.ts';
import { dockerConfig } from '../sources.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { syncPlugin, type SyncResult } from './sync.ts';

const KIND = requireKind('MCPGPluginMirror');
const PLUGIN = requireKind('MCPGPlugin');

type MirrorObject = KubeObject & { spec: PluginMirrorSpec };
type PluginView = KubeObject & { spec?: { oci?: { mirrorRef?: { name?: string } } } };

export function syncedCondition(results: readonly SyncResult[]): ConditionInput {
  const failed = results.filter((r) => !r.mirrored);
  if (failed.length === 0)
    return {
      type: 'Synced',
      status: 'True',
      reason: 'Mirrored',
      message: `${results.length} plugin(s) verified and mirrored with their signatures`,
    };
  const problems = failed.map((r) => `${r.plugin}: ${r.problem ?? 'not mirrored'}`).join('; ');
  return {
    type: 'Synced',
    status: 'False',
    reason: 'NotMirrored',
    message: `${failed.length} of ${results.length} plugin(s) not mirrored: ${problems}`.slice(0, 2000),
  };
}

async function syncAll(
  mirror: MirrorObject,
  plugins: readonly PluginObject[],
  pass: Pass,
  settings: SupplyChainSettings,
): Promise<SyncResult[]> {
  const auth = mirror.spec.auth?.secretRef;
  const mirrorCredentials = auth
    ? credentialsFor(
        await dockerConfig(pass.client, settings.operatorNamespace, auth),
        mirrorHost(mirror.spec),
      )
    : undefined;
  const results: SyncResult[] = [];
  for (const plugin of [...plugins].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const parsed = PLUGIN.spec.safeParse(plugin.spec);
    results.push(
      parsed.success
        ? await syncPlugin({ name: plugin.metadata.name, spec: parsed.data as PluginSpec }, mirror.spec, {
            ...pass,
            settings,
            mirrorCredentials,
          })
        : { plugin: plugin.metadata.name, mirrored: false, problem: 'its spec is invalid' },
    );
  }
  return results;
}

export function mirrorReconciler(settings: SupplyChainSettings): KindReconciler<MirrorObject> {
  return {
    kind: KIND,
    childTypes: [],
    async reconcile(object, context): Promise<Desired> {
      const spec = parseSpec(KIND, object) as PluginMirrorSpec;
      const host = mirrorHost(spec);
      const pass = startPass(context, settings);
      const probe = await registryClient(settings, host, {
        mirror: { insecure: spec.endpoint.insecure },
        credentials: undefined,
        signal: pass.signal,
      }).ping();
      const plugins = await pass.client.list<PluginObject>({
        apiVersion: API_VERSION,
        kind: 'MCPGPlugin',
      });
      const mine = plugins.filter(
        (p) => (p.spec as PluginView['spec'])?.oci?.mirrorRef?.name === object.metadata.name,
      );
      const synced = probe.reachable
        ? syncedCondition(await syncAll({ ...object, spec }, mine, pass, settings))
        : ({
            type: 'Synced',
            status: 'Unknown',
            reason: 'Unreachable',
            message: 'the mirror does not answer',
          } as const);
      return {
        children: [],
        status: { reachable: probe.reachable, proxiedReferences: mine.length, endpointHost: host },
        conditions: [
          synced,
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
