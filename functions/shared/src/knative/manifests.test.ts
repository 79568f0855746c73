import { describe, expect, it } from 'vitest';
import { adapterConfig, ADAPTER_IMAGE_PLACEHOLDER } from './direct-adapter.ts';
import {
  eventSources,
  functionManifests,
  knativeResource,
  pluralOf,
  TENANT_NAMESPACES,
  watchedSourceAccounts,
} from './manifests.ts';
import { childrenOf, GATEWAY_CONFIG_LABELS, WATCHED, type FunctionWiring } from './wiring.ts';

describe('pluralOf', () => {
  it.each([
    ['MCPGGateway', 'mcpggateways'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Ingress', 'ingresses'],
    ['Deployment', 'deployments'],
    ['MCPGRevocationList', 'mcpgrevocationlists'],
  ])('%s → %s', (kind, plural) => {
    expect(pluralOf(kind)).toBe(plural);
  });
});

describe('what an ApiServerSource can watch', () => {
  it.each([
    ['MCPGGateway', 'mcpggatewaies'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Ingress', 'ingresses'],
    ['ConfigMap', 'configmaps'],
    ['Endpoints', 'endpoints'],
  ])('Knative watches %s as %s', (kind, resource) => {
    expect(knativeResource(kind)).toBe(resource);
  });

  const wiring = (kind: string): FunctionWiring => ({
    name: 'example',
    description: 'example',
    watches: [{ apiVersion: 'mcpg.dev/v1alpha2', kind }],
    permissions: [],
    resyncSchedule: '*/5 * * * *',
  });

  it("sends a kind Knative's controller would get wrong to its adapter run directly, with the served resource", () => {
    const objects = functionManifests(
      {
        ...wiring('MCPGGateway'),
        watches: [
          { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGGateway' },
          { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGRoute' },
        ],
      },
      { namespace: 'mcpg-system', image: 'x', adapterImage: 'registry.example/adapter@sha256:1' },
    );
    type Direct = {
      kind: string;
      metadata: { name: string };
      spec: {
        sink: unknown;
        template: { spec: { serviceAccountName: string; containers: { image: string; env: { name: string; value?: string }[] }[] } };
      };
    };
    const api = objects.find((o) => o.kind === 'ApiServerSource') as { spec: { resources: { kind: string }[] } };
    expect(api.spec.resources.map((r) => r.kind)).toEqual(['MCPGRoute']);
    const direct = objects.find((o) => o.kind === 'ContainerSource') as Direct;
    expect(direct.metadata.name).toBe('mcpg-example-direct');
    expect(direct.spec.template.spec.serviceAccountName).toBe('mcpg-example-source');
    const [container] = direct.spec.template.spec.containers;
    expect(container?.image).toBe('registry.example/adapter@sha256:1');
    expect(JSON.parse(container?.env.find((e) => e.name === 'K_SOURCE_CONFIG')?.value ?? '')).toEqual({
      namespaces: [],
      allNamespaces: true,
      mode: 'Resource',
      resources: [{ gvr: { Group: 'mcpg.dev', Version: 'v1alpha2', Resource: 'mcpggateways' } }],
    });
    expect(direct.spec.sink).toEqual({ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'mcpg-example' } });
    const role = objects.find((o) => o.kind === 'ClusterRole' && (o.metadata as { name: string }).name === 'mcpg-example-source') as {
      rules: { resources: string[] }[];
    };
    expect(role.rules.flatMap((r) => r.resources)).toEqual(['mcpggateways', 'mcpgroutes']);
  });

  it('needs no ApiServerSource when Knative would get every kind wrong, and leaves the image to the installer', () => {
    const objects = functionManifests(wiring('MCPGGateway'), { namespace: 'mcpg-system', image: 'x' });
    expect(objects.filter((o) => o.kind === 'ApiServerSource')).toEqual([]);
    const direct = objects.find((o) => o.kind === 'ContainerSource') as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(direct.spec.template.spec.containers[0]?.image).toBe(ADAPTER_IMAGE_PLACEHOLDER);
  });

  it('passes label selectors to the adapter as Knative writes them', () => {
    const watches = [{ apiVersion: 'v1', kind: 'ConfigMap', matchLabels: { a: '1', b: '2' } }];
    expect(adapterConfig('Reference', watches, () => 'configmaps').resources).toEqual([
      { gvr: { Group: '', Version: 'v1', Resource: 'configmaps' }, selector: 'a=1,b=2' },
    ]);
  });
});

describe('Secrets and ConfigMaps', () => {
  const options = { namespace: 'mcpg-system', image: 'x' };
  const wiring = (...watches: FunctionWiring['watches']): FunctionWiring => ({
    name: 'example',
    description: 'example',
    watches,
    permissions: [],
    resyncSchedule: '*/5 * * * *',
  });
  type Role = { kind: string; metadata: { name: string }; rules: { resources: string[] }[] };
  const roleOf = (objects: Record<string, unknown>[], name: string) =>
    (objects as Role[]).find((o) => o.kind === 'ClusterRole' && o.metadata.name === name);

  it.each(['Secret', 'ConfigMap'])('refuses to watch every %s, naming the labels to select them by', (kind) => {
    expect(() => functionManifests(wiring({ apiVersion: 'v1', kind }), options)).toThrow(
      new RegExp(`watching every ${kind} would wake the function .* matchLabels \\(childrenOf\\(kind\\) .* WATCHED`),
    );
  });

  type Source = {
    metadata: { name: string };
    spec: {
      mode: string;
      serviceAccountName: string;
      namespaceSelector: unknown;
      resources: { kind: string; selector?: unknown }[];
    };
  };
  const kindsOf = (objects: Record<string, unknown>[], kind: string) =>
    objects.filter((o) => o.kind === kind).map((o) => (o.metadata as { name: string }).name);

  it('go by reference through sources of their own, whose ServiceAccounts alone may read them', () => {
    const objects = functionManifests(
      wiring(
        { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer' },
        { apiVersion: 'apps/v1', kind: 'Deployment', matchLabels: childrenOf('MCPGServer') },
        { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: GATEWAY_CONFIG_LABELS },
        { apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED },
        { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: WATCHED },
      ),
      options,
    );
    const sources = objects.filter((o) => o.kind === 'ApiServerSource') as Source[];
    expect(sources.map((s) => [s.metadata.name, s.spec.mode, s.spec.serviceAccountName, s.spec.resources.map((r) => r.kind)])).toEqual([
      ['mcpg-example', 'Resource', 'mcpg-example-source', ['MCPGServer', 'Deployment']],
      ['mcpg-example-refs', 'Reference', 'mcpg-example-refs-source', ['ConfigMap']],
      ['mcpg-example-watched', 'Reference', 'mcpg-example-watched-source', ['Secret', 'ConfigMap']],
    ]);
    expect(sources[2]?.spec.resources.every((r) => JSON.stringify(r.selector) === JSON.stringify({ matchLabels: WATCHED }))).toBe(true);
    expect(roleOf(objects, 'mcpg-example-source')?.rules.flatMap((r) => r.resources)).toEqual(['mcpgservers', 'deployments']);
    expect(roleOf(objects, 'mcpg-example-refs-source')?.rules.flatMap((r) => r.resources)).toEqual(['configmaps']);
    expect(roleOf(objects, 'mcpg-example-watched-source')?.rules.flatMap((r) => r.resources)).toEqual(['configmaps', 'secrets']);
  });

  it('read Secrets users opt in only in namespaces a tenant bound, never cluster-wide', () => {
    const objects = functionManifests(wiring({ apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED }), options);
    const [watched] = objects.filter((o) => o.kind === 'ApiServerSource') as Source[];
    expect(watched?.spec.namespaceSelector).toEqual(TENANT_NAMESPACES);
    expect(TENANT_NAMESPACES).toEqual({
      matchLabels: { 'mcpg.dev/tenant-namespace': 'true' },
      matchExpressions: [{ key: 'mcpg.dev/tenant', operator: 'Exists' }],
    });
    // Its role exists to be bound per namespace; no ClusterRoleBinding names it.
    expect(kindsOf(objects, 'ClusterRole')).toContain('mcpg-example-watched-source');
    expect(kindsOf(objects, 'ClusterRoleBinding')).toEqual(['mcpg-example']);
  });

  it("follow a function's own namespace through a source of its own, bound there only", () => {
    const objects = functionManifests(
      { ...wiring({ apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED }), followsOwnNamespace: true },
      options,
    );
    const own = (objects.filter((o) => o.kind === 'ApiServerSource') as Source[]).find(
      (s) => s.metadata.name === 'mcpg-example-own',
    );
    // No selector: Knative watches the source's own namespace only.
    expect(own?.spec).toMatchObject({ mode: 'Reference', serviceAccountName: 'mcpg-example-own-source' });
    expect(own?.spec.namespaceSelector).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'RoleBinding')).toMatchObject([
      {
        metadata: { name: 'mcpg-example-own-source', namespace: 'mcpg-system' },
        roleRef: { kind: 'ClusterRole', name: 'mcpg-example-own-source' },
        subjects: [{ kind: 'ServiceAccount', namespace: 'mcpg-system', name: 'mcpg-example-own-source' }],
      },
    ]);
    expect(kindsOf(objects, 'ClusterRoleBinding')).toEqual(['mcpg-example']);
  });

  it('let the function that binds watched sources bind exactly their roles, and name them to it', () => {
    const watching = { ...wiring({ apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED }), name: 'server' };
    const binder = { ...wiring({ apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGRoute' }), bindsWatchedSources: true };
    const watchedSources = watchedSourceAccounts([watching, binder], 'mcpg-system');
    expect(watchedSources).toEqual([{ namespace: 'mcpg-system', name: 'mcpg-server-watched-source' }]);
    const objects = functionManifests(binder, { ...options, watchedSources });
    expect(roleOf(objects, 'mcpg-example')?.rules).toContainEqual({
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles'],
      verbs: ['bind'],
      resourceNames: ['mcpg-server-watched-source'],
    });
    expect(JSON.stringify(objects)).toContain('{"name":"MCPG_WATCHED_SOURCES","value":"mcpg-system/mcpg-server-watched-source"}');
    // Without names to bind, no rule at all: a bind rule without resourceNames would cover every ClusterRole.
    const none = functionManifests(binder, options);
    expect(JSON.stringify(none)).not.toContain('"bind"');
    const others = functionManifests(watching, { ...options, watchedSources });
    expect(JSON.stringify(others)).not.toContain('"bind"');
  });

  it('gives a function without them a single source', () => {
    expect(eventSources(wiring({ apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGRoute' })).map((s) => s.mode)).toEqual([
      'Resource',
    ]);
  });
});
