/** The project's generated sources, re-aimed at the e2e tier's recorder in the test's own namespace. */
import { example } from '../fixtures/examples.ts';
import type { StackBed } from '../knative/bed.ts';
import { EVENTING_NAMESPACE } from '../knative/eventing.ts';

export interface SourceObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

const SOURCE_KINDS = new Set(['ApiServerSource', 'PingSource', 'ContainerSource']);
const IDENTITY_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']);

/**
 * A function's sources and the identities their adapters run as (the `-source` accounts and their roles; not the
 * function's own), moved to `namespace`, sent to the Service `sink`, with cluster-wide names prefixed so the
 * chart's own objects are left alone, and labelled for clean-up.
 */
export function forRecorder(
  objects: SourceObject[],
  options: { namespace: string; sink: string; adapterImage: string },
): SourceObject[] {
  const { namespace } = options;
  const renamed = (name: string) => `${namespace}-${name}`;
  return objects
    .filter(
      (o) => SOURCE_KINDS.has(o.kind) || (IDENTITY_KINDS.has(o.kind) && o.metadata.name.endsWith('-source')),
    )
    .map((original) => {
      const object = structuredClone(original);
      object.metadata.labels = { ...object.metadata.labels, 'mcpg.dev/e2e': namespace };
      if (object.kind === 'ClusterRole') object.metadata.name = renamed(object.metadata.name);
      else if (object.kind === 'ClusterRoleBinding') {
        object.metadata.name = renamed(object.metadata.name);
        (object.roleRef as { name: string }).name = object.metadata.name;
        for (const subject of object.subjects as { namespace: string }[]) subject.namespace = namespace;
      } else object.metadata.namespace = namespace;
      if (SOURCE_KINDS.has(object.kind)) {
        const spec = object.spec as {
          sink: unknown;
          template?: { spec: { containers: { image: string }[] } };
        };
        spec.sink = { ref: { apiVersion: 'v1', kind: 'Service', name: options.sink } };
        for (const container of spec.template?.spec.containers ?? []) container.image = options.adapterImage;
      }
      return object;
    });
}

/** Knative's ApiServerSource adapter image, as the installed controller names it for every source it starts. */
export async function adapterImage(bed: StackBed): Promise<string> {
  return bed.kubectl(
    '-n',
    EVENTING_NAMESPACE,
    'get',
    'deployment/eventing-controller',
    '-o',
    'jsonpath={.spec.template.spec.containers[0].env[?(@.name=="APISERVER_RA_IMAGE")].value}',
  );
}

/** One entry of an ApiServerSource's `spec.resources`. */
export interface Watch {
  apiVersion: string;
  kind: string;
  selector?: { matchLabels?: Record<string, string> };
}

export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'MCPGPlugin',
  'MCPGCluster',
  'MCPGTenant',
  'MCPGRevocationList',
  'MCPGPluginMirror',
]);

const NOWHERE = { name: 'c', image: 'registry.invalid/nothing:0' };

/** The body of a minimal valid object of each built-in kind the sources watch, by name. */
const BODIES: Record<string, (name: string) => Record<string, unknown>> = {
  ConfigMap: () => ({ data: { key: 'value' } }),
  Secret: () => ({ stringData: { key: 'must-not-travel' } }),
  Service: (name) => ({ spec: { ports: [{ port: 80 }], selector: { app: name } } }),
  ServiceAccount: () => ({}),
  Namespace: () => ({}),
  Role: () => ({}),
  RoleBinding: (name) => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name } }),
  ResourceQuota: () => ({ spec: { hard: { pods: '1' } } }),
  // Never scheduled: the event is about the object, not a running container.
  Pod: () => ({ spec: { nodeSelector: { 'mcpg.dev/e2e': 'nowhere' }, containers: [NOWHERE] } }),
  Deployment: (name) => ({
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [NOWHERE] } },
    },
  }),
  HorizontalPodAutoscaler: (name) => ({
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 2,
    },
  }),
  PodDisruptionBudget: (name) => ({ spec: { minAvailable: 0, selector: { matchLabels: { app: name } } } }),
  Ingress: (name) => ({ spec: { defaultBackend: { service: { name, port: { number: 80 } } } } }),
  NetworkPolicy: (name) => ({ spec: { podSelector: { matchLabels: { app: name } } } }),
};

/** The spec of the kind's example; a tenant's namespaces are its own, as no two tenants may share one. */
function mcpgSpec(kind: string, name: string): Record<string, unknown> {
  const { spec } = example(kind);
  return kind === 'MCPGTenant' ? { ...spec, namespaces: [`${name}-ns`] } : spec;
}

/**
 * A new valid object of the watched kind with the labels its selector wants (MCPG kinds from docs/examples), in
 * `namespace` unless the kind is cluster-scoped, labelled for clean-up.
 */
export function objectOf(
  watch: Watch,
  name: string,
  namespace: string,
): Record<string, unknown> & { metadata: { name: string; labels: Record<string, string> } } {
  const labels = { ...watch.selector?.matchLabels, 'mcpg.dev/e2e': namespace };
  const metadata = { name, ...(CLUSTER_SCOPED.has(watch.kind) ? {} : { namespace }), labels };
  const body = BODIES[watch.kind]?.(name) ?? { spec: mcpgSpec(watch.kind, name) };
  return { apiVersion: watch.apiVersion, kind: watch.kind, metadata, ...body };
}

/** A direct adapter's configuration (K_SOURCE_CONFIG of its container), as Knative's adapter reads it. */
export function directConfig(source: SourceObject): {
  mode: string;
  resources: { gvr: { Group: string; Version: string; Resource: string }; selector?: string }[];
} {
  const spec = source.spec as {
    template: { spec: { containers: { env: { name: string; value?: string }[] }[] } };
  };
  const value =
    spec.template.spec.containers[0]?.env.find((e) => e.name === 'K_SOURCE_CONFIG')?.value ?? '{}';
  return JSON.parse(value) as ReturnType<typeof directConfig>;
}
