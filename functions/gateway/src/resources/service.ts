import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { GatewayObject } from '../types.ts';
import { COMPONENT, HTTP_PORT_NAME, names, podSelector } from './names.ts';

export const DEFAULT_PORT = 8787;

export function servicePort(gateway: GatewayObject): number {
  return gateway.spec.service?.port ?? DEFAULT_PORT;
}

export function makeService(gateway: GatewayObject): KubeObject {
  const service = gateway.spec.service;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(gateway, {
      name: names.service(gateway.metadata.name),
      component: COMPONENT,
      ...(service?.annotations ? { annotations: service.annotations } : {}),
    }),
    spec: {
      type: service?.type ?? 'ClusterIP',
      selector: podSelector(gateway.metadata.name),
      ports: [
        { name: HTTP_PORT_NAME, port: servicePort(gateway), targetPort: HTTP_PORT_NAME, protocol: 'TCP' },
      ],
    },
  };
}
