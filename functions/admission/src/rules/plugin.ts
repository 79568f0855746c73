import type { PluginSpec } from '@mcpg-functions/shared/api';
import { NOTHING, type CrossObjectRule } from './context.ts';
import { unwatchedSourceWarnings, type FollowedSource } from './watched.ts';

/** The Secrets and ConfigMap in the operator's namespace a plugin's verification reads. */
export function pluginFollowedSources(spec: PluginSpec): FollowedSource[] {
  const secret = (path: string, name: string | undefined): FollowedSource[] =>
    name ? [{ path, kind: 'Secret', name }] : [];
  const provenance = spec.trust.slsaProvenance?.configMapName;
  return [
    ...secret('spec.oci.pullSecretRef', spec.oci.pullSecretRef?.name),
    ...secret('spec.trust.signingKeyRef', spec.trust.signingKeyRef?.secretName),
    ...secret('spec.trust.cosignKeyRef', spec.trust.cosignKeyRef?.secretName),
    ...(provenance
      ? [{ path: 'spec.trust.slsaProvenance', kind: 'ConfigMap' as const, name: provenance }]
      : []),
  ];
}

/** Plugins are cluster admins' objects: no rights to check, only whether their keys' rotation is seen at once. */
export const pluginRules: CrossObjectRule<PluginSpec> = async ({ spec, oldSpec, policy, lookups }) => {
  if (!policy.operatorNamespace) return NOTHING;
  const before = oldSpec === undefined ? [] : pluginFollowedSources(oldSpec);
  return unwatchedSourceWarnings(lookups, {
    namespace: policy.operatorNamespace,
    sources: pluginFollowedSources(spec),
    before,
    alwaysFollowed: true,
  });
};
