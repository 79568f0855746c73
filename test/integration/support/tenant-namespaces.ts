/** Namespaces a tenant may hold: an administrator opts each one in with a label. */
import { TENANT_OPT_IN_LABEL } from '@mcpg-functions/shared/api';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import type { Clients } from './cluster.ts';

export async function optInNamespace(kube: Clients, namespace: string): Promise<void> {
  await kubeRequest(kube.config, {
    method: 'PATCH',
    path: `/api/v1/namespaces/${namespace}`,
    contentType: 'application/merge-patch+json',
    body: { metadata: { labels: { [TENANT_OPT_IN_LABEL]: 'true' } } },
  });
}
