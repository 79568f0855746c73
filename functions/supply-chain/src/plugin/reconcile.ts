/** MCPGPlugin: pull, verify and check revocation on every pass; status says what gateways may fetch. */
import { API_VERSION, requireKind, type PluginSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import {
  parseSpec,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { secondsSince, type SupplyChainMetrics } from '../metrics.ts';
import { startPass } from '../pass.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { pluginStatus } from './status.ts';
import type { PluginVerdict } from './verdict.ts';
import { verifyPlugin } from './verify-plugin.ts';

const KIND = requireKind('MCPGPlugin');

export type PluginObject = KubeObject & { spec: PluginSpec; status?: Record<string, unknown> };

function secretsOf(spec: PluginSpec): string[] {
  return [
    spec.trust.signingKeyRef?.secretName,
    spec.trust.cosignKeyRef?.secretName,
    spec.oci.pullSecretRef?.name,
  ].filter((name): name is string => name !== undefined);
}

function toKey(plugin: KubeObject): ObjectKey {
  return { apiVersion: API_VERSION, kind: KIND.kind, name: plugin.metadata.name };
}

/** Which plugins an event on another object affects: every plugin for a revocation list (fail-closed). */
async function affectedPlugins(
  key: ObjectKey,
  context: ReconcileContext,
  settings: SupplyChainSettings,
): Promise<ObjectKey[]> {
  const inOperatorNamespace =
    (key.kind === 'Secret' || key.kind === 'ConfigMap') && key.namespace === settings.operatorNamespace;
  const relevant =
    key.kind === 'MCPGRevocationList' || key.kind === 'MCPGPluginMirror' || inOperatorNamespace;
  if (!relevant) return [];
  const plugins = await context.client.list<PluginObject>({ apiVersion: API_VERSION, kind: KIND.kind });
  if (key.kind === 'MCPGRevocationList') return plugins.map(toKey);
  if (key.kind === 'MCPGPluginMirror')
    return plugins.filter((p) => p.spec.oci.mirrorRef?.name === key.name).map(toKey);
  if (key.kind === 'ConfigMap')
    return plugins.filter((p) => p.spec.trust.slsaProvenance?.configMapName === key.name).map(toKey);
  return plugins.filter((p) => secretsOf(p.spec).includes(key.name)).map(toKey);
}

function verdictReason(verdict: PluginVerdict): string {
  if (verdict.stage === 'verified') return 'Verified';
  return verdict.stage === 'revocationUnknown' ? 'RevocationUnknown' : verdict.reason;
}

export function pluginReconciler(
  settings: SupplyChainSettings,
  metrics: SupplyChainMetrics,
): KindReconciler<PluginObject> {
  return {
    kind: KIND,
    childTypes: [],
    async reconcile(object, context): Promise<Desired> {
      const spec = parseSpec(KIND, object) as PluginSpec;
      const started = process.hrtime.bigint();
      const verdict = await verifyPlugin(spec, { ...startPass(context, settings), settings });
      metrics.recordCheck('plugin', verdictReason(verdict), secondsSince(started));
      const { status, conditions } = pluginStatus(verdict, object.status ?? {}, context.now);
      return { children: [], status, conditions };
    },
    dependents: (key, context) => affectedPlugins(key, context, settings),
  };
}
