/**
 * MCPGRevocationList: how many entries it holds, a hash of its normalised content, and which plugins it blocks
 * now (read from the plugins' Revoked conditions, which the plugin reconciler sets from every list at once).
 */
import { API_VERSION, requireKind, type RevocationListSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import { contentHash, parseSpec, type Desired, type KindReconciler } from '@mcpg-functions/shared/runtime';
import { revokingList } from './match.ts';

const KIND = requireKind('MCPGRevocationList');

type ListObject = KubeObject & { spec: RevocationListSpec };
type PluginStatusView = KubeObject & {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
};

/** Lower-cased hashes, entries in a stable order: the same revocations always hash the same. */
export function normalise(spec: RevocationListSpec): RevocationListSpec['revocations'] {
  return spec.revocations
    .map((entry) => ({
      ...entry,
      ...(entry.artifactSha256 ? { artifactSha256: entry.artifactSha256.trim().toLowerCase() } : {}),
      ...(entry.publicKeySha256 ? { publicKeySha256: entry.publicKeySha256.trim().toLowerCase() } : {}),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

export function blockedBy(list: string, plugins: readonly PluginStatusView[]): string[] {
  return plugins
    .filter((plugin) =>
      (plugin.status?.conditions ?? []).some(
        (c) => c.type === 'Revoked' && c.status === 'True' && revokingList(c.message) === list,
      ),
    )
    .map((plugin) => plugin.metadata.name)
    .sort();
}

export function revocationListReconciler(): KindReconciler<ListObject> {
  return {
    kind: KIND,
    childTypes: [],
    async reconcile(object, context): Promise<Desired> {
      const spec = parseSpec(KIND, object) as RevocationListSpec;
      const plugins = await context.client.list<PluginStatusView>({
        apiVersion: API_VERSION,
        kind: 'MCPGPlugin',
      });
      const blocked = blockedBy(object.metadata.name, plugins);
      return {
        children: [],
        status: {
          observedRevocations: spec.revocations.length,
          contentHash: contentHash(normalise(spec)),
          pluginsBlocked: blocked,
        },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Enforced',
            message: `${spec.revocations.length} entries enforced; ${blocked.length} plugin(s) blocked`,
          },
        ],
      };
    },
    /** A plugin's verdict changes what a list blocks. */
    async dependents(key: ObjectKey, context): Promise<ObjectKey[]> {
      if (key.kind !== 'MCPGPlugin' || !key.apiVersion.startsWith('mcpg.dev/')) return [];
      const lists = await context.client.list({ apiVersion: API_VERSION, kind: KIND.kind });
      return lists.map((list) => ({ apiVersion: API_VERSION, kind: KIND.kind, name: list.metadata.name }));
    },
  };
}
