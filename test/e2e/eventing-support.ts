/** The project's generated sources, re-aimed at the e2e tier's recorder in the test's own namespace. */
import { TENANT_LABEL, TENANT_OPT_IN_LABEL } from '../../functions/shared/src/api/index.ts';
import { watchedSourceBinding } from '../../functions/shared/src/knative/index.ts';
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
const IDENTITY_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding']);

/** The labels an MCPGTenant's namespace carries: what the tenant-scoped (`-watched`) sources select. */
export const TENANT_HELD = { [TENANT_OPT_IN_LABEL]: 'true', [TENANT_LABEL]: 'e2e' };

interface Binding {
  roleRef: { name: string };
  subjects: { namespace?: string }[];
}

/**
 * A function's sources and the identities their adapters run as (the `-source` accounts and their roles; not the
 * function's own), moved to `namespace`, sent to the Service `sink`, with cluster-wide names prefixed so the
 * chart's own objects are left alone, and labelled for clean-up. A source that watches only tenant-held
 * namespaces gets the RoleBinding the tenant function gives it in each: the namespace must carry TENANT_HELD.
 */
export function forRecorder(
  objects: SourceObject[],
  options: { namespace: string; sink: string; adapterImage: string },
): SourceObject[] {
  const { namespace } = options;
  const renamed = (name: string) => `${namespace}-${name}`;
  return [...objects, ...objects.flatMap(tenantBindings)]
    .filter(
      (o) => SOURCE_KINDS.has(o.kind) || (IDENTITY_KINDS.has(o.kind) && o.metadata.name.endsWith('-source')),
    )
    .map((original) => {
      const object = structuredClone(original);
      object.metadata.labels = { ...object.metadata.labels, 'mcpg.dev/e2e': namespace };
      if (object.kind === 'ClusterRole') object.metadata.name = renamed(object.metadata.name);
      else if (object.kind === 'ClusterRoleBinding') object.metadata.name = renamed(object.metadata.name);
      else object.metadata.namespace = namespace;
      if (object.kind.endsWith('Binding')) {
        const binding = object as unknown as Binding;
        binding.roleRef.name = renamed(binding.roleRef.name);
        for (const subject of binding.subjects) subject.namespace = namespace;
      }
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

/** What the tenant function binds, in each namespace it holds, for a source that watches only those. */
function tenantBindings(source: SourceObject): SourceObject[] {
  const spec = source.spec as { namespaceSelector?: { matchLabels?: object }; serviceAccountName?: string };
  if (source.kind !== 'ApiServerSource' || !spec.namespaceSelector?.matchLabels || !spec.serviceAccountName)
    return [];
  const account = { namespace: source.metadata.namespace ?? '', name: spec.serviceAccountName };
  return [watchedSourceBinding(account, account.namespace) as SourceObject];
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
  // A quota on something the tier never creates: one on pods would stop the adapters Knative starts later here.
  ResourceQuota: () => ({ spec: { hard: { 'services.loadbalancers': '0' } } }),
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
