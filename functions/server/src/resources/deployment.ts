import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childLabels, childMetadata } from '@mcpg-functions/shared/runtime';
import { mcpServerPodSpec } from '@mcpg-functions/shared/workloads';
import type { BuildArgs, ServerObject } from '../types.ts';
import { childName, podSelector } from './names.ts';

export const ENV_HASH_ANNOTATION = 'mcpg.dev/env-hash';

export function makeDeployment(server: ServerObject, args: BuildArgs): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(server, { name: childName(server.metadata.name), component: 'server' }),
    spec: {
      replicas: server.spec.replicas,
      selector: { matchLabels: podSelector(server.metadata.name) },
      template: {
        metadata: {
          labels: childLabels(server, 'server'),
          annotations: { [ENV_HASH_ANNOTATION]: args.envHash },
        },
        spec: mcpServerPodSpec(server.spec, {
          bridgeImage: args.bridgeImage,
          imageProcess: args.imageProcess,
        }),
      },
    },
  };
}
