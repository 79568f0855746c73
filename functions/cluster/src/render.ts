/** The coordination block gateways bound to a cluster render, and the backend's plugin id. Pure. */
import type { ClusterSpec } from '@mcpg-functions/shared/api';
import { contentHash } from '@mcpg-functions/shared/runtime';

/** `kind: <backend>` with the backend's settings next to it, as the gateway's `cluster:` block. */
export function clusterBlock(spec: ClusterSpec): Record<string, unknown> {
  return { ...spec.config, kind: spec.backend };
}

/** sha256 of the block as compact JSON with sorted keys, so equal settings hash equally wherever computed. */
export function configHash(spec: ClusterSpec): string {
  return contentHash(clusterBlock(spec));
}

/** The backend's plugin id; none for single_node, which needs no plugin. */
export function backendPluginId(backend: ClusterSpec['backend']): string | undefined {
  return backend === 'single_node' ? undefined : `dev.mcpg.cluster.${backend}`;
}

/** Where each credential is read: the Secret name and key (the credential name when no key is given). */
export function credentialSources(spec: ClusterSpec): { name: string; secretName: string; key: string }[] {
  return (spec.credentialRefs ?? []).map((ref) => ({
    name: ref.name,
    secretName: ref.secretName,
    key: ref.key ?? ref.name,
  }));
}
