/** What the tenant function watches and may do; knative/tenant.yaml is generated from this. */
import {
  EVENT_RECORDING,
  GATEWAY_CONFIG_LABELS,
  READ,
  childWatches,
  WRITE_CHILDREN,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';
import { TENANT_RULES } from './resources/rbac.ts';

export const wiring: FunctionWiring = {
  name: 'tenant',
  description:
    'Fences MCPGTenant namespaces with a label, a ResourceQuota and RBAC, and re-checks allowlists and quotas',
  watches: [
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGTenant' },
    ...childWatches('MCPGTenant', [
      { apiVersion: 'v1', kind: 'ResourceQuota' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
    ]),
    // A listed namespace created later is bound; what lands in a tenant's namespaces is re-checked.
    { apiVersion: 'v1', kind: 'Namespace' },
    // Gateways through their config ConfigMaps, which change once the gateway function has rendered them.
    { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: GATEWAY_CONFIG_LABELS },
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPluginSet' },
    { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGRoute' },
  ],
  permissions: [
    { apiGroups: ['mcpg.dev'], resources: ['mcpgtenants'], verbs: [...READ, 'patch'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgtenants/status'], verbs: ['get', 'update'] },
    { apiGroups: ['mcpg.dev'], resources: ['mcpgplugins'], verbs: READ },
    { apiGroups: [''], resources: ['namespaces'], verbs: [...READ, 'patch'] },
    { apiGroups: [''], resources: ['resourcequotas'], verbs: WRITE_CHILDREN },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: WRITE_CHILDREN },
    // The API server lets a function write a Role only with permissions it holds itself; holding exactly the
    // tenant Role's rules is narrower than the `escalate` verb, which would allow any Role in any namespace.
    ...TENANT_RULES,
    EVENT_RECORDING,
  ],
  resyncSchedule: '*/10 * * * *',
  // In each namespace it binds, every function's watched source may read the Secrets and ConfigMaps users opt in.
  bindsWatchedSources: true,
};
