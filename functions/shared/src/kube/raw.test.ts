import { describe, expect, it } from 'vitest';
import { pathResource } from './raw.ts';

describe('the resource a request path names (span names stay low-cardinality)', () => {
  it.each([
    ['/api/v1/namespaces/team-a/pods/tools-0', 'pods'],
    ['/apis/apps/v1/namespaces/team-a/deployments/tools', 'deployments'],
    ['/apis/mcpg.dev/v1alpha2/namespaces/team-a/mcpgservers/tools/status', 'mcpgservers/status'],
    ['/apis/mcpg.dev/v1alpha2/mcpgplugins?limit=500&continue=abc', 'mcpgplugins'],
    ['/api/v1/namespaces/team-a', 'namespaces'],
    ['/api/v1/namespaces', 'namespaces'],
  ])('%s → %s', (path, resource) => {
    expect(pathResource(path)).toBe(resource);
  });
});
