import type { ServerSpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { ResolvedProcess } from '@mcpg-functions/shared/workloads';

/** An MCPGServer as read from the API server, its spec parsed (defaults applied). */
export type ServerObject = KubeObject & { spec: ServerSpec; status?: Record<string, unknown> };

/** What the builders need besides the server itself; gathered by the reconciler, so builders stay pure. */
export interface BuildArgs {
  /** sha256 over the Secrets and ConfigMaps the pods read their environment from. */
  envHash: string;
  /** Image of the stdio bridge, copied into stdio servers' pods. */
  bridgeImage: string;
  /** A stdio server without command: the image's own process, and the digest-pinned image it was read from. */
  imageProcess?: ResolvedProcess;
}
