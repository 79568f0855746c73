import type { TenantSpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';

/** An MCPGTenant as read from the API server, its spec parsed (defaults applied). */
export type TenantObject = KubeObject & { spec: TenantSpec; status?: Record<string, unknown> };

/** An object in a tenant's namespace whose spec the rules read (as stored: the CRD applied its defaults). */
export type NamespacedObject = KubeObject & { spec?: Record<string, unknown> };

/** What the tenant's namespaces hold, across all its bound namespaces. */
export interface Inventory {
  gateways: NamespacedObject[];
  pluginSets: NamespacedObject[];
  routes: NamespacedObject[];
  /** MCPGPlugins the plugin sets reference, by name (undefined: it does not exist). */
  plugins: ReadonlyMap<string, KubeObject | undefined>;
}

/** Where each listed namespace stands. */
export interface NamespacePlan {
  /** Listed, existing and ours: labelled, fenced, counted. */
  bound: string[];
  /** Listed but not (yet) created. */
  missing: string[];
  /** Listed, but an older tenant claims it. */
  lost: { namespace: string; owner: string }[];
  /** Listed and existing, but not a namespace a tenant may hold (kube-*, or not opted in). */
  refused: { namespace: string; why: string }[];
}
