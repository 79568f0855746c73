import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { ServerObject } from '../types.ts';
import { childName, MCP_PORT_NAME, podSelector } from './names.ts';

export function makeService(server: ServerObject): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(server, { name: childName(server.metadata.name), component: 'server' }),
    spec: {
      type: 'ClusterIP',
      selector: podSelector(server.metadata.name),
      ports: [
        {
          name: MCP_PORT_NAME,
          port: server.spec.port,
          targetPort: MCP_PORT_NAME,
          protocol: 'TCP',
          appProtocol: 'http',
        },
      ],
    },
  };
}
