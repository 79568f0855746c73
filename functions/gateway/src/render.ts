/** Every child of a gateway from the gateway and its gathered inputs. Pure: no client, clock or environment. */
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { contentHash } from '@mcpg-functions/shared/runtime';
import { createHash } from 'node:crypto';
import { configText, renderConfig } from './config/render.ts';
import { makeAutoscaler, makeDisruptionBudget } from './resources/availability.ts';
import { makeConfigMap } from './resources/config-map.ts';
import { makeDeployment, type PodHashes } from './resources/deployment.ts';
import { makeIngress } from './resources/ingress.ts';
import { makePrometheusRule, makeServiceMonitor } from './resources/monitoring.ts';
import { makeNetworkPolicy } from './resources/network-policy.ts';
import { makeServiceAccount } from './resources/service-account.ts';
import { makeService } from './resources/service.ts';
import type { GatewayInputs, GatewayObject, PluginToLoad } from './types.ts';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface RenderedGateway {
  children: KubeObject[];
  hashes: PodHashes;
}

/**
 * @param setPlugins the plugin set's list (or the last good one) recorded in the ConfigMap; `inputs.plugins`
 * adds the injected cluster plugin to it.
 */
export function renderGateway(
  gateway: GatewayObject,
  inputs: GatewayInputs,
  setPlugins: readonly PluginToLoad[],
): RenderedGateway {
  const text = configText(renderConfig(gateway.spec.config, inputs));
  const hashes: PodHashes = {
    config: sha256(text),
    plugins: contentHash(inputs.plugins),
    revocations: inputs.revocations === undefined ? undefined : sha256(inputs.revocations),
    credentials: inputs.credentialsHash,
  };
  const children = [
    makeConfigMap(gateway, inputs, {
      text,
      hash: hashes.config,
      pluginsJson: `${JSON.stringify(setPlugins, null, 2)}\n`,
    }),
    makeService(gateway),
    makeServiceAccount(gateway),
    makeDeployment(gateway, inputs, hashes),
    makeAutoscaler(gateway),
    makeDisruptionBudget(gateway),
    makeIngress(gateway),
    makeNetworkPolicy(gateway),
    makeServiceMonitor(gateway, inputs),
    makePrometheusRule(gateway, inputs),
  ].filter((child): child is KubeObject => child !== undefined);
  return { children, hashes };
}

/** The set's plugins followed by the injected ones whose id the set does not already load. */
export function withInjected(
  setPlugins: readonly PluginToLoad[],
  injected: readonly (PluginToLoad | undefined)[],
): PluginToLoad[] {
  const ids = new Set(setPlugins.map((p) => p.id));
  return [...setPlugins, ...injected.filter((p): p is PluginToLoad => p !== undefined && !ids.has(p.id))];
}
