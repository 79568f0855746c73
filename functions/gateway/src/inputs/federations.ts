/** MCPGServers in the gateway's namespace that ask to be federated into it (`spec.federate.gatewayRef`). */
import { API_VERSION, requireKind, type ServerSpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { labelValue, type ReconcileContext } from '@mcpg-functions/shared/runtime';
import { normalisePath } from '@mcpg-functions/shared/workloads';
import type { Federation, GatewayObject } from '../types.ts';

const SERVER = requireKind('MCPGServer');

/** The server's in-cluster URL (the server function names its Service after the server, as here). */
function serverUrl(server: KubeObject, spec: ServerSpec): string {
  const name = /^[a-z]/.test(server.metadata.name) ? server.metadata.name : `mcpg-${server.metadata.name}`;
  return `http://${labelValue(name)}.${server.metadata.namespace ?? ''}.svc.cluster.local:${spec.port}${normalisePath(spec.path)}`;
}

export function federationOf(server: KubeObject): Federation | undefined {
  const parsed = SERVER.spec.safeParse(server.spec);
  if (!parsed.success) return undefined;
  const spec = parsed.data as ServerSpec;
  if (!spec.federate) return undefined;
  const name = spec.federate.name ?? server.metadata.name;
  return {
    name,
    url: serverUrl(server, spec),
    toolPrefix: spec.federate.toolPrefix ?? `${name}.`,
    governance: spec.federate.governance,
    import: spec.federate.import,
    auth: spec.federate.auth,
  };
}

export async function resolveFederations(
  gateway: GatewayObject,
  context: ReconcileContext,
): Promise<{ federations: Federation[]; servers: string[] }> {
  const servers = await context.client.list<
    KubeObject & { spec?: { federate?: { gatewayRef?: { name?: string } } } }
  >({
    apiVersion: API_VERSION,
    kind: 'MCPGServer',
    namespace: gateway.metadata.namespace,
  });
  const federated = servers
    .filter((s) => s.spec?.federate?.gatewayRef?.name === gateway.metadata.name)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const federations = federated.map(federationOf).filter((f): f is Federation => f !== undefined);
  return { federations, servers: federated.map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name}`) };
}
