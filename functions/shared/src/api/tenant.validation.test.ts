import { describe, expect, it } from 'vitest';
import { namespaceOwners, tenantAllows } from './tenant.validation.ts';

describe('tenantAllows', () => {
  const entry = { id: 'dev.mcpg.identity.workload', pluginRef: { name: 'identity-1-2-3' } };
  const plugin = { oci: { image: 'ghcr.io/mcpg-dev/plugins/identity@sha256:abc' } };
  it.each([
    { name: 'no allowlist', allowedPlugins: undefined, allowed: false },
    { name: 'an empty allowlist', allowedPlugins: [], allowed: false },
    { name: '"*"', allowedPlugins: [{ name: '*' }], allowed: true },
    { name: 'the resource name', allowedPlugins: [{ name: 'identity-1-2-3' }], allowed: true },
    { name: 'the plugin id', allowedPlugins: [{ name: 'dev.mcpg.identity.workload' }], allowed: true },
    {
      name: 'a matching image prefix',
      allowedPlugins: [{ registryPrefix: 'ghcr.io/mcpg-dev/' }],
      allowed: true,
    },
    { name: 'another image prefix', allowedPlugins: [{ registryPrefix: 'docker.io/' }], allowed: false },
    { name: 'another name', allowedPlugins: [{ name: 'dev.mcpg.other' }], allowed: false },
  ])('$name → $allowed', ({ allowedPlugins, allowed }) => {
    expect(tenantAllows({ allowedPlugins }, entry, plugin)).toBe(allowed);
  });

  it('does not allow by image prefix when the plugin does not exist', () => {
    expect(tenantAllows({ allowedPlugins: [{ registryPrefix: 'ghcr.io/' }] }, entry, undefined)).toBe(false);
  });
});

describe('namespaceOwners', () => {
  it.each([
    {
      name: 'the older tenant wins',
      claims: [
        { name: 'b', creationTimestamp: '2026-11-22T10:00:00Z', namespaces: ['shared', 'b-only'] },
        { name: 'a', creationTimestamp: '2026-11-22T10:00:05Z', namespaces: ['shared'] },
      ],
      owners: { shared: 'b', 'b-only': 'b' },
    },
    {
      name: 'equal creation times fall back to the name',
      claims: [
        { name: 'zeta', creationTimestamp: '2026-11-22T10:00:00Z', namespaces: ['shared'] },
        { name: 'alpha', creationTimestamp: '2026-11-22T10:00:00Z', namespaces: ['shared'] },
      ],
      owners: { shared: 'alpha' },
    },
    {
      name: 'a claim without a creation time is ordered by name',
      claims: [
        { name: 'b', namespaces: ['x'] },
        { name: 'a', namespaces: ['x'] },
      ],
      owners: { x: 'a' },
    },
  ])('$name', ({ claims, owners }) => {
    expect(Object.fromEntries(namespaceOwners(claims))).toEqual(owners);
    expect(Object.fromEntries(namespaceOwners([...claims].reverse()))).toEqual(owners);
  });
});
