import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { GatewayObject, GatewayInputs } from '../types.ts';
import { COMPONENT, CONFIG_KEYS, HASH_ANNOTATIONS, names, SOURCE_ANNOTATIONS } from './names.ts';

export interface RenderedConfig {
  text: string;
  hash: string;
  pluginsJson: string;
}

export function makeConfigMap(
  gateway: GatewayObject,
  inputs: GatewayInputs,
  config: RenderedConfig,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(gateway, {
      name: names.configMap(gateway.metadata.name),
      component: COMPONENT,
      annotations: {
        [HASH_ANNOTATIONS.config]: config.hash,
        [SOURCE_ANNOTATIONS.routes]: inputs.routes.join(','),
        [SOURCE_ANNOTATIONS.servers]: inputs.servers.join(','),
      },
    }),
    data: {
      [CONFIG_KEYS.config]: config.text,
      [CONFIG_KEYS.plugins]: config.pluginsJson,
      ...(inputs.revocations !== undefined ? { [CONFIG_KEYS.revocations]: inputs.revocations } : {}),
    },
  };
}
