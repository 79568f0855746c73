import { describe, expect, it } from 'vitest';
import { pluralOf } from './manifests.ts';

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
