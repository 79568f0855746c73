import { describe, expect, it } from 'vitest';
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

  it('refuses to wire a watch that would silently deliver nothing, saying what to do instead', () => {
    expect(() => functionManifests(wiring('MCPGGateway'), { namespace: 'mcpg-system', image: 'x' })).toThrow(
      /would watch "mcpggatewaies" for MCPGGateway .* watch a child of it instead/,
    );
    expect(functionManifests(wiring('MCPGRoute'), { namespace: 'mcpg-system', image: 'x' }).length).toBeGreaterThan(0);
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
