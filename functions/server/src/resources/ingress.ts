import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { ServerObject } from '../types.ts';
import { normalisePath } from '@mcpg-functions/shared/workloads';
import { childName, MCP_PORT_NAME } from './names.ts';

/** An Ingress by host, or by path prefix on any host when no host is given. */
export function makeIngress(server: ServerObject): KubeObject | undefined {
  const ingress = server.spec.ingress;
  if (!ingress) return undefined;
  const path = {
    path: normalisePath(ingress.pathPrefix),
    pathType: 'Prefix',
    backend: { service: { name: childName(server.metadata.name), port: { name: MCP_PORT_NAME } } },
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMetadata(server, {
      name: childName(server.metadata.name),
      component: 'server',
      ...(ingress.annotations ? { annotations: ingress.annotations } : {}),
    }),
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      rules: [{ ...(ingress.host ? { host: ingress.host } : {}), http: { paths: [path] } }],
      ...(ingress.tls
        ? {
            tls: [{ secretName: ingress.tls.secretName, ...(ingress.host ? { hosts: [ingress.host] } : {}) }],
          }
        : {}),
    },
  };
}
