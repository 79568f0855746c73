import { describe, expect, it } from 'vitest';
import { adapterConfig, ADAPTER_IMAGE_PLACEHOLDER } from './direct-adapter.ts';
import { eventSources, functionManifests, knativeResource, pluralOf } from './manifests.ts';
import { childrenOf, WATCHED, type FunctionWiring } from './wiring.ts';

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

  it('go by reference through a source of their own, whose ServiceAccount alone may read them', () => {
    const objects = functionManifests(
      wiring(
        { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer' },
        { apiVersion: 'apps/v1', kind: 'Deployment', matchLabels: childrenOf('MCPGServer') },
        { apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED },
        { apiVersion: 'v1', kind: 'ConfigMap', matchLabels: WATCHED },
      ),
      options,
    );
    expect(eventSources(wiring({ apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED }))).toEqual([
      { name: 'mcpg-example-refs', mode: 'Reference', watches: [{ apiVersion: 'v1', kind: 'Secret', matchLabels: WATCHED }] },
    ]);
    const sources = objects.filter((o) => o.kind === 'ApiServerSource') as {
      metadata: { name: string };
      spec: { mode: string; serviceAccountName: string; resources: { kind: string; selector?: unknown }[] };
    }[];
    expect(sources.map((s) => [s.metadata.name, s.spec.mode, s.spec.serviceAccountName, s.spec.resources.map((r) => r.kind)])).toEqual([
      ['mcpg-example', 'Resource', 'mcpg-example-source', ['MCPGServer', 'Deployment']],
      ['mcpg-example-refs', 'Reference', 'mcpg-example-refs-source', ['Secret', 'ConfigMap']],
    ]);
    expect(sources[1]?.spec.resources.every((r) => JSON.stringify(r.selector) === JSON.stringify({ matchLabels: WATCHED }))).toBe(true);
    expect(roleOf(objects, 'mcpg-example-source')?.rules.flatMap((r) => r.resources)).toEqual(['mcpgservers', 'deployments']);
    expect(roleOf(objects, 'mcpg-example-refs-source')?.rules.flatMap((r) => r.resources)).toEqual(['configmaps', 'secrets']);
  });

  it('gives a function without them a single source', () => {
    expect(eventSources(wiring({ apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGRoute' })).map((s) => s.mode)).toEqual([
      'Resource',
    ]);
  });
});
