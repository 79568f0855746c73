import { watchedSourceBinding, type SourceAccount } from '@mcpg-functions/shared/knative';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childLabels, controllerReference } from '@mcpg-functions/shared/runtime';
import type { TenantObject } from '../types.ts';
import { childName, tenantGroup } from './names.ts';

/** What the tenant's people may do in its namespaces: run their own gateways, plugin sets, routes and servers. */
export const TENANT_RULES = [
  {
    apiGroups: ['mcpg.dev'],
    resources: ['mcpggateways', 'mcpgpluginsets', 'mcpgroutes', 'mcpgservers'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  {
    apiGroups: ['mcpg.dev'],
    resources: [
      'mcpggateways/status',
      'mcpgpluginsets/status',
      'mcpgroutes/status',
      'mcpgservers/status',
      'mcpginstances',
    ],
    verbs: ['get', 'list', 'watch'],
  },
];

function metadata(tenant: TenantObject, namespace: string): KubeObject['metadata'] {
  return {
    name: childName(tenant.metadata.name),
    namespace,
    labels: childLabels(tenant, 'rbac'),
    ownerReferences: [controllerReference(tenant)],
  };
}

export function makeRole(tenant: TenantObject, namespace: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: metadata(tenant, namespace),
    rules: TENANT_RULES,
  };
}

export function makeRoleBinding(tenant: TenantObject, namespace: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata(tenant, namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: childName(tenant.metadata.name) },
    subjects: [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: tenantGroup(tenant.metadata.name) },
    ],
  };
}

/**
 * Lets each function's watched source read the Secrets and ConfigMaps users opt in, here only: the namespace is
 * the tenant's, so the administrator's opt-in of it is what opens it to the sources.
 */
export function makeWatchedSourceBindings(
  tenant: TenantObject,
  namespace: string,
  sources: readonly SourceAccount[],
): KubeObject[] {
  return sources.map((source) => ({
    ...(watchedSourceBinding(source, namespace) as KubeObject),
    metadata: { ...metadata(tenant, namespace), name: `${childName(tenant.metadata.name)}-${source.name}` },
  }));
}
