import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { GatewayObject } from '../types.ts';
import { COMPONENT, HTTP_PORT_NAME, names } from './names.ts';

export function makeIngress(gateway: GatewayObject): KubeObject | undefined {
  const ingress = gateway.spec.ingress;
  if (!ingress) return undefined;
  const backend = { service: { name: names.service(gateway.metadata.name), port: { name: HTTP_PORT_NAME } } };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMetadata(gateway, {
      name: names.service(gateway.metadata.name),
      component: COMPONENT,
      ...(ingress.annotations ? { annotations: ingress.annotations } : {}),
    }),
    spec: {
      ingressClassName: ingress.ingressClassName,
      rules: ingress.hosts.map((host) => ({
        host: host.host,
        http: { paths: host.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend })) },
      })),
      ...(ingress.tls ? { tls: ingress.tls.map((t) => ({ hosts: t.hosts, secretName: t.secretName })) } : {}),
    },
  };
}
