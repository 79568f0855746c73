import type { ClusterSpec, Condition } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';

/** An MCPGCluster as read from the API server, its spec parsed (defaults applied). */
export type ClusterObject = KubeObject & { spec: ClusterSpec; status?: Record<string, unknown> };

/** An MCPGPlugin as read, unparsed. */
export type PluginObject = KubeObject & {
  spec?: { pluginId?: string };
  status?: { conditions?: Condition[]; revokedBySha?: boolean; observedGeneration?: number };
};

/** What a pass observed besides the cluster itself. */
export interface Observed {
  /** The MCPGPlugin spec.pluginRef names; undefined when it does not exist or none is referenced. */
  plugin: PluginObject | undefined;
  /** Namespaces of the gateways bound to this cluster (one entry per gateway). */
  gatewayNamespaces: string[];
  /** Data keys of the credential Secrets, by `namespace/name`; undefined when the Secret does not exist. */
  secretKeys: ReadonlyMap<string, readonly string[] | undefined>;
}
