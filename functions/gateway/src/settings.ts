/** The gateway function's settings: the shared ones plus how gateway pods are built. Read once at start. */
import { functionSettings } from '@mcpg-functions/shared/runtime';
import { ingressPolicyOf, ingressPolicySettings, type IngressPolicy } from '@mcpg-functions/shared/workloads';
import { z } from 'zod';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const gatewaySettings = functionSettings.extend(ingressPolicySettings.shape).extend({
  MCPG_DEFAULT_GATEWAY_IMAGE_REPOSITORY: z.string().min(1).default('ghcr.io/mcpg-dev/source-code/gateway'),
  MCPG_DEFAULT_GATEWAY_IMAGE_TAG: z.string().min(1).default('v1.0.0'),
  /** The cluster runs Kubernetes image volumes (`volumes[].image`): plugins mount straight from the registry. */
  MCPG_IMAGE_VOLUMES: flag.default(false),
  /** Init container that pulls each plugin artifact by digest and checks it, when image volumes are off. */
  MCPG_PLUGIN_FETCHER_IMAGE: z.string().min(1).default('ghcr.io/mcpg-dev/plugin-fetcher:0.1.0'),
});

export type GatewaySettings = z.infer<typeof gatewaySettings>;

/** What the builders need from the settings. */
export interface RenderSettings {
  imageRepository: string;
  imageTag: string;
  pluginDelivery: { kind: 'image-volume' } | { kind: 'init-container'; fetcherImage: string };
  /** The operator's Ingress settings, applied again on every pass (the webhook may have been bypassed). */
  ingressPolicy: IngressPolicy;
}

export function renderSettings(settings: GatewaySettings): RenderSettings {
  return {
    imageRepository: settings.MCPG_DEFAULT_GATEWAY_IMAGE_REPOSITORY.replace(/\/+$/, ''),
    imageTag: settings.MCPG_DEFAULT_GATEWAY_IMAGE_TAG,
    ingressPolicy: ingressPolicyOf(settings),
    pluginDelivery: settings.MCPG_IMAGE_VOLUMES
      ? { kind: 'image-volume' }
      : { kind: 'init-container', fetcherImage: settings.MCPG_PLUGIN_FETCHER_IMAGE },
  };
}
