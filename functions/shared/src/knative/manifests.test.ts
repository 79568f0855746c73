import { describe, expect, it } from 'vitest';
import { functionManifests, knativeResource, pluralOf } from './manifests.ts';
import type { FunctionWiring } from './wiring.ts';

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
