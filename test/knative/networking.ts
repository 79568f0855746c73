/**
 * The networking layer Knative Services route through: Traefik with its (experimental) Knative provider, which
 * turns each KIngress of class `traefik.ingress.networking.knative.dev` into routers keyed by Host and marks the
 * KIngress ready. Traefik runs as one Deployment behind a ClusterIP Service; kube-proxy makes that address
 * reachable from the host, so tests send requests to it with the route's host name in the Host header.
 */
import type { StackBed, StackPart } from './bed.ts';
import { pushStackImage } from './stack-image.ts';
import { applyInOrder, buildStackPrograms, pinnedVersion, waitForDeployments, type KubeObject } from './upstream.ts';

export const TRAEFIK_INGRESS_CLASS = 'traefik.ingress.networking.knative.dev';
export const TRAEFIK_NAMESPACE = 'traefik';
/** The Service whose ClusterIP takes every route's traffic on port 80. */
export const TRAEFIK_SERVICE = 'traefik';

const labels = { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/part-of': 'knative-stack' };
const WEB_PORT = 8080;
const PING_PORT = 9000;

/** Traefik's static configuration as flags; the provider reads its Kubernetes access from the pod's account. */
function traefikArgs(): string[] {
  const service = [`name=${TRAEFIK_SERVICE}`, `namespace=${TRAEFIK_NAMESPACE}`];
  return [
    // No update checks or usage reports: the bed's traffic stays on the machine.
    '--global.checkNewVersion=false',
    '--global.sendAnonymousUsage=false',
    `--entryPoints.web.address=:${WEB_PORT}`,
    `--entryPoints.traefik.address=:${PING_PORT}`,
    '--ping=true',
    '--log.level=INFO',
    '--experimental.knative=true',
    '--providers.knative=true',
    // Routes Knative marks cluster-local are served on the same entry point: the bed has no outside to hide
    // them from, and the functions' Services are cluster-local.
    '--providers.knative.publicEntrypoints=web',
    '--providers.knative.privateEntrypoints=web',
    // The addresses the provider writes into each KIngress status, which Serving points the route's
    // placeholder Service at.
    ...service.map((field) => `--providers.knative.publicService.${field}`),
    ...service.map((field) => `--providers.knative.privateService.${field}`),
  ];
}

export function traefikObjects(image: string): KubeObject[] {
  const metadata = (name: string) => ({ name, namespace: TRAEFIK_NAMESPACE, labels });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: TRAEFIK_NAMESPACE, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata('traefik') },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'knative-stack-traefik', labels },
      rules: [
        // What the Knative provider watches: the KIngresses, the Services their splits name (for the
        // ClusterIP and port), and Secrets for routes with TLS.
        { apiGroups: ['networking.internal.knative.dev'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
        // What it writes: each KIngress's status (network configured, load balancer ready).
        { apiGroups: ['networking.internal.knative.dev'], resources: ['ingresses/status'], verbs: ['update'] },
        { apiGroups: [''], resources: ['services', 'secrets'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'knative-stack-traefik', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'knative-stack-traefik' },
      subjects: [{ kind: 'ServiceAccount', name: 'traefik', namespace: TRAEFIK_NAMESPACE }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata('traefik'),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'traefik',
            containers: [
              {
                name: 'traefik',
                image,
                args: traefikArgs(),
                ports: [
                  { name: 'web', containerPort: WEB_PORT },
                  { name: 'ping', containerPort: PING_PORT },
                ],
                readinessProbe: { httpGet: { path: '/ping', port: 'ping' }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/ping', port: 'ping' }, periodSeconds: 10, failureThreshold: 6 },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(TRAEFIK_SERVICE),
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
    },
  ];
}

/** The address routes answer on from the host: Traefik's ClusterIP, port 80. */
export async function traefikAddress(bed: Pick<StackBed, 'kubectl'>): Promise<string> {
  const ip = await bed.kubectl('get', 'service', '-n', TRAEFIK_NAMESPACE, TRAEFIK_SERVICE, '-o', 'jsonpath={.spec.clusterIP}');
  return `${ip.trim()}:80`;
}

export const networking: StackPart = {
  name: 'networking',
  install: async (bed) => {
    const bin = await buildStackPrograms('traefik', bed.say);
    const version = `v${pinnedVersion('TRAEFIK_VERSION')}`;
    const image = await pushStackImage(bed.push, {
      repository: 'knative/traefik',
      version,
      binary: `${bin}/traefik`,
      name: 'traefik',
      source: 'https://github.com/traefik/traefik',
      license: 'MIT',
    });
    await applyInOrder(bed, traefikObjects(image));
    await waitForDeployments(bed, TRAEFIK_NAMESPACE);
  },
};
