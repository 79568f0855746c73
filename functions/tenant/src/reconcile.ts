/** MCPGTenant: its namespaces labelled and fenced (ResourceQuota, Role, RoleBinding); its rules re-checked. */
import { API_VERSION, requireKind, type TenantSpec } from '@mcpg-functions/shared/api';
import { keyOf, type KubeObject, type ObjectKey } from '@mcpg-functions/shared/kube';
import {
  childSelector,
  isControlledBy,
  parseSpec,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { tenantConditions } from './lifecycle.ts';
import { releaseNamespaces, syncNamespaceLabels } from './namespace-labels.ts';
import { readClaims, readInventory, readNamespaces } from './observe.ts';
import { namespacePlan } from './plan.ts';
import { makeResourceQuota } from './resources/resource-quota.ts';
import { makeRole, makeRoleBinding, makeWatchedSourceBindings } from './resources/rbac.ts';
import type { SourceAccount } from '@mcpg-functions/shared/knative';
import { storedNamespaces } from './stored.ts';
import type { TenantObject } from './types.ts';
import { tenantViolations } from './violations.ts';

const KIND = requireKind('MCPGTenant');

const CHILD_TYPES = [
  { apiVersion: 'v1', kind: 'ResourceQuota' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
];
export const TENANT_FINALIZER = 'mcpg.dev/tenant';

/** Kinds in a tenant's namespaces whose changes re-check the tenant's rules (gateways through their config). */
const WATCHED_CONTENT = new Set(['MCPGPluginSet', 'MCPGRoute']);

export function desiredChildren(
  tenant: TenantObject,
  bound: readonly string[],
  watchedSources: readonly SourceAccount[] = [],
): KubeObject[] {
  return bound.flatMap((namespace) =>
    [
      makeResourceQuota(tenant, namespace),
      makeRole(tenant, namespace),
      makeRoleBinding(tenant, namespace),
      ...makeWatchedSourceBindings(tenant, namespace, watchedSources),
    ].filter((child): child is KubeObject => child !== undefined),
  );
}

/**
 * The owner references would have the garbage collector remove these too, but only once it watches the tenant
 * kind (it learns new CRDs on a periodic discovery pass); deleting them here makes removal immediate.
 */
async function deleteChildren(tenant: TenantObject, context: ReconcileContext): Promise<void> {
  for (const type of CHILD_TYPES) {
    const children = await context.client.list(type, childSelector(tenant));
    for (const child of children.filter((c) => isControlledBy(c, tenant)))
      await context.client.delete(keyOf(child));
  }
}

/** The namespace a change concerns, when it can matter to a tenant. */
function concernedNamespace(key: ObjectKey): string | undefined {
  if (key.apiVersion === 'v1' && key.kind === 'Namespace') return key.name;
  if (key.apiVersion === API_VERSION && WATCHED_CONTENT.has(key.kind)) return key.namespace;
  if (key.apiVersion === 'v1' && key.kind === 'ConfigMap') return key.namespace;
  return undefined;
}

/** `watchedSources`: the functions' watched sources, bound in every namespace a tenant holds. */
export function tenantReconciler(
  watchedSources: readonly SourceAccount[] = [],
): KindReconciler<TenantObject> {
  return {
    kind: KIND,
    childTypes: CHILD_TYPES,
    finalizer: {
      name: TENANT_FINALIZER,
      async finalize(tenant, context) {
        await releaseNamespaces(tenant.metadata.name, context);
        await deleteChildren(tenant, context);
      },
    },
    async reconcile(object, context): Promise<Desired> {
      const tenant: TenantObject = { ...object, spec: parseSpec(KIND, object) as TenantSpec };
      const [claims, namespaces] = await Promise.all([
        readClaims(context),
        readNamespaces(tenant.spec.namespaces, context),
      ]);
      const claim = {
        name: tenant.metadata.name,
        creationTimestamp: tenant.metadata.creationTimestamp,
        namespaces: tenant.spec.namespaces,
      };
      const labels = new Map([...namespaces].map(([name, ns]) => [name, ns.metadata.labels ?? {}]));
      const plan = namespacePlan(claim, claims, labels);
      const bound = new Map(plan.bound.map((name) => [name, namespaces.get(name) as KubeObject]));
      await syncNamespaceLabels(tenant.metadata.name, bound, context);
      const inventory = await readInventory(plan.bound, context);
      return {
        children: desiredChildren(tenant, plan.bound, watchedSources),
        status: {
          boundNamespaces: plan.bound,
          observed: {
            gateways: inventory.gateways.length,
            pluginSets: inventory.pluginSets.length,
            routes: inventory.routes.length,
          },
        },
        conditions: tenantConditions(plan, tenantViolations(tenant.spec, inventory)),
      };
    },
    /** A namespace appearing, or a gateway, plugin set or route changing in one, re-checks the tenants listing it. */
    async dependents(key, context: ReconcileContext): Promise<ObjectKey[]> {
      const namespace = concernedNamespace(key);
      if (!namespace) return [];
      const tenants = await context.client.list<KubeObject & { spec?: { namespaces?: string[] } }>({
        apiVersion: API_VERSION,
        kind: KIND.kind,
      });
      return tenants.filter((t) => storedNamespaces(t.spec).includes(namespace)).map(keyOf);
    },
  };
}
