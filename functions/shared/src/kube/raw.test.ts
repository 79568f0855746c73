import { describe, expect, it } from 'vitest';
import { pathResource, retryDelayMs } from './raw.ts';

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

describe('waiting before a retried answer', () => {
  it.each([
    { retryAfter: '2', attempt: 1, ms: 2000 },
    { retryAfter: '0', attempt: 1, ms: 0 },
    { retryAfter: undefined, attempt: 2, ms: 2000 },
    { retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT', attempt: 1, ms: 1000 },
    { retryAfter: '60', attempt: 1, ms: undefined },
  ])('Retry-After $retryAfter on attempt $attempt waits $ms ms', ({ retryAfter, attempt, ms }) => {
    expect(retryDelayMs(retryAfter, attempt)).toBe(ms);
  });
});
