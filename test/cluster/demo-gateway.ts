/**
 * The gateway part of `make demo`: the example gateway (docs/examples) rendered from its plugin set, with the
 * team-a tenant's route refused until the gateway accepts the namespace, then folded in as a tool-access rule
 * carrying the tenant's identity attribute.
 */
import { createHash } from 'node:crypto';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { example } from '../fixtures/examples.ts';
import { applyWith } from '../integration/support/crds.ts';
import { setStatus } from '../integration/gateway/fixtures.ts';
import { sendPing } from './ping.ts';
import { waitFor } from './wait.ts';

interface Demo {
  config: KubeConfig;
  kubectl: (...args: string[]) => Promise<string>;
  say: (text: string) => void;
  gatewayUrl: string;
  routeUrl: string;
  pluginSetUrl: string;
}

type Conditions = { status?: { conditions?: { type: string; status: string; reason: string }[] } };

async function condition(config: KubeConfig, path: string, type: string) {
  const object = await kubeRequest<Conditions>(config, { method: 'GET', path });
  return object.status?.conditions?.find((c) => c.type === type);
}

const GATEWAY = '/apis/mcpg.dev/v1alpha2/namespaces/mcpg/mcpggateways/gw';
const PLUGIN_SET = '/apis/mcpg.dev/v1alpha2/namespaces/mcpg/mcpgpluginsets/production';

/** What the supply-chain function writes once an artifact verified: Verified, not revoked, the pinned artifact. */
async function publishVerifiedPlugins(config: KubeConfig): Promise<void> {
  const entries = example('MCPGPluginSet').spec.entries as { id: string; pluginRef: { name: string } }[];
  for (const { id, pluginRef } of entries) {
    const plugin = example('MCPGPlugin', { pluginId: id });
    plugin.metadata = { name: pluginRef.name };
    const applied = (await applyWith(config, plugin)) as unknown as { metadata: { generation: number } };
    const digest = `sha256:${createHash('sha256').update(id).digest('hex')}`;
    const now = new Date().toISOString();
    const condition = (type: string, status: string) => ({
      type,
      status,
      reason: 'Reconciled',
      lastTransitionTime: now,
    });
    await setStatus(config, plugin, {
      observedGeneration: applied.metadata.generation,
      resolvedDigest: digest,
      artifact: `ghcr.io/mcpg-dev/source-code/plugins/${pluginRef.name}@${digest}`,
      revokedBySha: false,
      conditions: [condition('Verified', 'True'), condition('Revoked', 'False'), condition('Ready', 'True')],
    });
  }
}
const ROUTE = '/apis/mcpg.dev/v1alpha2/namespaces/team-a/mcpgroutes/team-a-orders';

async function toolRules(config: KubeConfig): Promise<unknown> {
  const configMap = await kubeRequest<{ data: Record<string, string> }>(config, {
    method: 'GET',
    path: '/api/v1/namespaces/mcpg/configmaps/gw-config',
  });
  const rendered = parse(configMap.data['config.yaml'] ?? '') as {
    plugins?: { id: string }[];
    governance?: { policy?: { tool_access?: { rules?: unknown[] } } };
  };
  return {
    plugins: rendered.plugins?.map((p) => p.id),
    rules: rendered.governance?.policy?.tool_access?.rules,
  };
}

export async function showGateways(demo: Demo): Promise<void> {
  const { config, kubectl, say } = demo;
  say(
    'the plugins: the supply-chain function verifies each artifact in its registry; no registry runs in the demo,\n' +
      'so the demo publishes each MCPGPlugin’s verified status (digest-pinned artifact) as that function does,\n' +
      'and the plugin-set function resolves the set "production" from them',
  );
  await publishVerifiedPlugins(config);
  await sendPing(demo.pluginSetUrl);
  await waitFor(
    async () => ((await condition(config, PLUGIN_SET, 'Ready'))?.status === 'True' ? true : undefined),
    { what: 'the plugin set to resolve', timeoutMs: 30_000 },
  );
  console.log(await kubectl('get', 'mcpgplugins,mcpgpluginsets', '--all-namespaces'));
  // Gateway spec changes arrive through the resync (an ApiServerSource cannot watch mcpggateways).
  await sendPing(demo.gatewayUrl);
  await sendPing(demo.routeUrl);
  await waitFor(
    async () => ((await condition(config, GATEWAY, 'Ready'))?.status === 'True' ? true : undefined),
    {
      what: 'the example gateway to be Ready at its autoscaler’s 3 replicas',
      timeoutMs: 90_000,
    },
  );
  console.log(await kubectl('get', 'mcpggateways', '-n', 'mcpg'));
  console.log(
    await kubectl(
      'get',
      'configmaps,services,serviceaccounts,deployments,hpa,pods',
      '-n',
      'mcpg',
      '-l',
      'app.kubernetes.io/name=mcpggateway',
    ),
  );

  say('the team-a route is refused: the gateway does not accept routes from namespace team-a');
  console.log(await kubectl('get', 'mcpgroutes', '-n', 'team-a'));
  console.log(JSON.stringify(await condition(config, ROUTE, 'GatewayBound')));

  say('the gateway accepts team-a: the route is folded in with the team-a tenant’s identity attribute');
  await kubectl(
    'patch',
    'mcpggateway',
    'gw',
    '-n',
    'mcpg',
    '--type=merge',
    '-p',
    '{"spec":{"acceptedRouteNamespaces":["team-a"]}}',
  );
  await sendPing(demo.gatewayUrl);
  await waitFor(
    async () => ((await condition(config, ROUTE, 'GatewayBound'))?.status === 'True' ? true : undefined),
    {
      what: 'the route to be bound',
      timeoutMs: 30_000,
    },
  );
  console.log(await kubectl('get', 'mcpgroutes', '-n', 'team-a'));
  console.log(JSON.stringify(await toolRules(config), null, 2));
  // The new config rolled the pods (its hash is on the pod template); Ready returns once they are replaced.
  await waitFor(
    async () => ((await condition(config, GATEWAY, 'Ready'))?.status === 'True' ? true : undefined),
    {
      what: 'the gateway to be Ready again after the rollout',
      timeoutMs: 90_000,
    },
  );
  console.log(
    await kubectl(
      'get',
      'mcpggateway',
      'gw',
      '-n',
      'mcpg',
      '-o',
      'jsonpath={range .status.conditions[*]}{.type}={.status} ({.reason}){"\\n"}{end}',
    ),
  );
}
