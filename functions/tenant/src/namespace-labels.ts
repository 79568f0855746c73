/**
 * The tenant label on namespaces. Namespaces are not ours (no owner reference, other labels belong to others),
 * so only that one label is patched, and only where it is missing, wrong or no longer deserved.
 */
import { TENANT_LABEL } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { labelValue, type ReconcileContext } from '@mcpg-functions/shared/runtime';

async function setLabel(namespace: string, value: string | null, context: ReconcileContext): Promise<void> {
  await context.client.patch(
    { apiVersion: 'v1', kind: 'Namespace', name: namespace },
    { metadata: { labels: { [TENANT_LABEL]: value } } },
    'merge',
  );
}

function labelled(tenant: string, context: ReconcileContext): Promise<KubeObject[]> {
  return context.client.list(
    { apiVersion: 'v1', kind: 'Namespace' },
    `${TENANT_LABEL}=${labelValue(tenant)}`,
  );
}

/** Labels the bound namespaces and unlabels those this tenant no longer holds; writes only what differs. */
export async function syncNamespaceLabels(
  tenant: string,
  bound: ReadonlyMap<string, KubeObject>,
  context: ReconcileContext,
): Promise<void> {
  const value = labelValue(tenant);
  const stale = (await labelled(tenant, context)).filter((n) => !bound.has(n.metadata.name));
  const unlabelled = [...bound.values()].filter((n) => n.metadata.labels?.[TENANT_LABEL] !== value);
  for (const namespace of stale) await setLabel(namespace.metadata.name, null, context);
  for (const namespace of unlabelled) await setLabel(namespace.metadata.name, value, context);
}

/** On deletion: the namespaces stop naming the tenant (its quota and RBAC go with it by garbage collection). */
export async function releaseNamespaces(tenant: string, context: ReconcileContext): Promise<void> {
  for (const namespace of await labelled(tenant, context))
    await setLabel(namespace.metadata.name, null, context);
}
