/** MCPGServer: desired children from the spec, status from what runs. */
import { API_VERSION, requireKind, type ServerSpec } from '@mcpg-functions/shared/api';
import { keyOf, type KubeObject, type ObjectKey } from '@mcpg-functions/shared/kube';
import {
  childSelector,
  contentHash,
  parseSpec,
  readChildrenAhead,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { makeDeployment } from './resources/deployment.ts';
import { makeIngress } from './resources/ingress.ts';
import { childName } from './resources/names.ts';
import { makeNetworkPolicy } from './resources/network-policy.ts';
import { makeService } from './resources/service.ts';
import {
  DEFAULT_INGRESS_POLICY,
  environmentSources,
  IMAGE_TRUST_FACET,
  imageProcess,
  imageTrust,
  ingressRefusal,
  serverIngressRequest,
  type IngressPolicy,
} from '@mcpg-functions/shared/workloads';
import { WATCH_LABEL, WATCHED } from '@mcpg-functions/shared/knative';
import { rolloutHold, serverStatus } from './status.ts';
import type { ServerObject } from './types.ts';

const KIND = requireKind('MCPGServer');

/**
 * A content hash of every environment source, so that rotating a Secret rolls the pods, and the sources whose
 * changes send no event (not labelled WATCHED), which the server's status names.
 */
async function environment(
  server: ServerObject,
  context: ReconcileContext,
): Promise<{ hash: string; unwatched: string[] }> {
  const read = await Promise.all(
    environmentSources(server.spec).map(async (source) => ({
      source,
      object: await context.client.get({
        apiVersion: 'v1',
        kind: source.kind,
        namespace: server.metadata.namespace,
        name: source.name,
      }),
    })),
  );
  const contents = read.map(({ source, object }) => ({
    ...source,
    data: object ? [object.data, object.binaryData] : 'missing',
  }));
  const unwatched = read
    .filter(({ object }) => object && object.metadata.labels?.[WATCH_LABEL] !== WATCHED[WATCH_LABEL])
    .map(({ source }) => `${source.kind} ${source.name}`);
  return { hash: contentHash(contents), unwatched: [...new Set(unwatched)] };
}

async function observe(server: ServerObject, context: ReconcileContext) {
  const namespace = server.metadata.namespace;
  const name = childName(server.metadata.name);
  const [deployment, ingress, pods] = await Promise.all([
    context.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }),
    server.spec.ingress
      ? context.client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace, name })
      : undefined,
    context.client.list({ apiVersion: 'v1', kind: 'Pod', namespace }, childSelector(server)),
  ]);
  return { deployment, ingress, pods };
}

export function serverReconciler(options: {
  bridgeImage: string;
  ingressPolicy?: IngressPolicy;
}): KindReconciler<ServerObject> {
  const ingressPolicy = options.ingressPolicy ?? DEFAULT_INGRESS_POLICY;
  return {
    kind: KIND,
    childTypes: [
      { apiVersion: 'apps/v1', kind: 'Deployment' },
      { apiVersion: 'v1', kind: 'Service' },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
    ],
    // In a burst of new servers, every server's pods are on their way before any Service or status is written.
    leadChildTypes: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    // Pods tell readiness and crash loops; the function may list them.
    observedTypes: [{ apiVersion: 'v1', kind: 'Pod' }],
    // The supply-chain function records its image check and the image's entrypoint there.
    foreignStatusFields: IMAGE_TRUST_FACET.fields,
    async reconcile(object, context): Promise<Desired> {
      const server: ServerObject = { ...object, spec: parseSpec(KIND, object) as ServerSpec };
      const env = await environment(server, context);
      const process = imageProcess(server.spec, object.status);
      const deployment = makeDeployment(server, {
        envHash: env.hash,
        bridgeImage: options.bridgeImage,
        ...(process.state === 'resolved' ? { imageProcess: process } : {}),
      });
      // An image that is not verified, or whose entrypoint the bridge needs and nobody has read yet, is not
      // rolled out; whatever Deployment runs stays (fail-static).
      const hold = rolloutHold(imageTrust(server.spec, object.status), process);
      const held = hold !== undefined;
      const refused = await ingressRefusal(
        server,
        serverIngressRequest(server.spec),
        ingressPolicy,
        context.client,
      );
      const children = [
        held ? undefined : deployment,
        makeService(server),
        makeNetworkPolicy(server),
        refused ? undefined : makeIngress(server),
      ].filter((child): child is KubeObject => child !== undefined);
      const [running] = await Promise.all([
        observe(server, context),
        readChildrenAhead(context.client, children),
      ]);
      const observed = {
        ...running,
        unwatched: env.unwatched,
        ingressRefused: refused,
      };
      const { status, conditions } = serverStatus(server, observed, hold);
      return { children, status, conditions, retained: held ? [keyOf(deployment)] : [] };
    },
    /** A changed Secret or ConfigMap re-reconciles the servers that read their environment from it. */
    async dependents(key, context): Promise<ObjectKey[]> {
      if (key.apiVersion !== 'v1' || (key.kind !== 'Secret' && key.kind !== 'ConfigMap')) return [];
      const servers = await context.client.list<ServerObject>({
        apiVersion: API_VERSION,
        kind: KIND.kind,
        namespace: key.namespace,
      });
      return servers
        .filter((s) =>
          environmentSources(s.spec).some((source) => source.kind === key.kind && source.name === key.name),
        )
        .map((s) => ({
          apiVersion: s.apiVersion,
          kind: s.kind,
          namespace: s.metadata.namespace,
          name: s.metadata.name,
        }));
    },
  };
}
