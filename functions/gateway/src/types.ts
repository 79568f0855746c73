import type { GatewaySpec, ResolvedPluginEntry } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import type { RenderSettings } from './settings.ts';

/** An MCPGGateway as read from the API server, its spec parsed (defaults applied). */
export type GatewayObject = KubeObject & { spec: GatewaySpec; status?: Record<string, unknown> };

/** One plugin the gateway loads: an entry of a plugin set's `status.resolved`, or the injected cluster plugin. */
export type PluginToLoad = ResolvedPluginEntry;

/** A cluster credential projected into the gateway pods as a file (what `cred://cluster/<name>` resolves to). */
export interface ProjectedCredential {
  name: string;
  secretName: string;
  key: string;
}

/** One tool-access rule folded in from the routes bound to this gateway. */
export interface ToolAccess {
  tool: string;
  /** CEL predicates, any of which allows the call; `true` allows everyone. */
  predicates: string[];
}

export interface Federation {
  name: string;
  url: string;
  toolPrefix: string;
  governance?: Record<string, unknown> | undefined;
  import?: Record<string, unknown> | undefined;
  auth?: Record<string, unknown> | undefined;
}

/** Everything besides the gateway itself that shapes its children, read by the reconciler (builders stay pure). */
export interface GatewayInputs {
  /** Plugins to load, in order: the plugin set's (or the last good list) and then the cluster plugin. */
  plugins: PluginToLoad[];
  /** The gateway names a plugin set: the operator owns the config's whole `plugins` list. */
  pluginSetBound: boolean;
  /** The revocation list in the gateway file format (pretty JSON), when one applies. */
  revocations: string | undefined;
  /** The `cluster:` block from the bound MCPGCluster, when bound and ready. */
  clusterBlock: Record<string, unknown> | undefined;
  credentials: ProjectedCredential[];
  /** sha256 over the projected Secrets' content, so rotating one rolls the pods. */
  credentialsHash: string | undefined;
  toolAccess: ToolAccess[];
  /** Routes folded in, as namespace/name (recorded so a route that moves away re-renders this gateway). */
  routes: string[];
  federations: Federation[];
  /** Servers federated, as namespace/name. */
  servers: string[];
  /** Optional APIs the cluster serves. */
  serves: { serviceMonitor: boolean; prometheusRule: boolean };
  settings: RenderSettings;
  /** The replica count of the Deployment as it runs (undefined before it exists). */
  liveReplicas: number | undefined;
}

/** What the inputs say about the gateway's dependencies, as conditions (merged into status by the driver). */
export type DependencyConditions = ConditionInput[];
