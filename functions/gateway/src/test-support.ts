/** Fixture builders for the gateway's unit tests. */
import { DEFAULT_INGRESS_POLICY } from '@mcpg-functions/shared/workloads';
import { requireKind, type GatewaySpec } from '@mcpg-functions/shared/api';
import type { GatewayInputs, GatewayObject, PluginToLoad } from './types.ts';

const KIND = requireKind('MCPGGateway');

/** A gateway as the API server returns it, its spec parsed with defaults applied. */
export function gateway(spec: Record<string, unknown> = {}, name = 'gw'): GatewayObject {
  return {
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGGateway',
    metadata: { name, namespace: 'mcpg', uid: 'uid-1', generation: 1 },
    spec: KIND.spec.parse({ config: {}, ...spec }) as GatewaySpec,
  };
}

export function plugin(id: string, extra: Partial<PluginToLoad> = {}): PluginToLoad {
  const digest = `sha256:${'a'.repeat(64)}`;
  return {
    id,
    pluginRef: id.replaceAll('.', '-'),
    artifact: `registry.example/plugins/${id}@${digest}`,
    digest,
    enforce: true,
    ...extra,
  };
}

export function inputs(extra: Partial<GatewayInputs> = {}): GatewayInputs {
  return {
    plugins: [],
    pluginSetBound: false,
    revocations: undefined,
    clusterBlock: undefined,
    credentials: [],
    credentialsHash: undefined,
    toolAccess: [],
    routes: [],
    federations: [],
    servers: [],
    serves: { serviceMonitor: false, prometheusRule: false },
    liveReplicas: undefined,
    settings: {
      imageRepository: 'ghcr.io/mcpg-dev/source-code/gateway',
      imageTag: 'v1.0.0',
      pluginDelivery: { kind: 'init-container', fetcherImage: 'ghcr.io/mcpg-dev/plugin-fetcher:0.1.0' },
      ingressPolicy: DEFAULT_INGRESS_POLICY,
    },
    ...extra,
  };
}
