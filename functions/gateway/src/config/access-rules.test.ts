import { describe, expect, it } from 'vitest';
import {
  attributePredicate,
  celString,
  foldRoutes,
  joinPredicates,
  mergeToolAccess,
  routePredicate,
} from './access-rules.ts';

describe('CEL string literals', () => {
  it.each([
    { value: 'team-a', literal: '"team-a"' },
    { value: 'a"b', literal: '"a\\"b"' },
    { value: 'a\\b', literal: '"a\\\\b"' },
    { value: '" || true || "', literal: '"\\" || true || \\""' },
    { value: 'line\nbreak', literal: '"line\\nbreak"' },
    { value: 'bell\u0007', literal: '"bell\\u0007"' },
    { value: 'ünï😀', literal: '"ünï😀"' },
  ])('escapes $value', ({ value, literal }) => {
    expect(celString(value)).toBe(literal);
  });
});

describe('route predicates', () => {
  it.each([
    {
      route: { tools: ['t'], attributes: { tenant: 'team-a' } },
      want: 'identity.attributes.tenant == "team-a"',
    },
    { route: { tools: ['t'] }, want: 'true' },
    {
      route: { tools: ['t'], attributes: { tenant: 'x' }, tenantAttribute: { key: 'org', value: 'acme' } },
      want: 'identity.attributes.org == "acme"',
    },
    {
      route: { tools: ['t'], tenantAttribute: { key: 'org-id', value: 'a"b' } },
      want: 'identity.attributes["org-id"] == "a\\"b"',
    },
  ])('$want', ({ route, want }) => {
    expect(routePredicate(route)).toBe(want);
  });

  it('indexes keys that are not identifiers', () => {
    expect(attributePredicate('x.y', 'v')).toBe('identity.attributes["x.y"] == "v"');
  });
});

describe('folding routes into tool-access rules', () => {
  it('groups predicates per tool, de-duplicated and sorted', () => {
    const folded = foldRoutes([
      { tools: ['orders.list', 'orders.get'], attributes: { tenant: 'b' } },
      { tools: ['orders.list'], attributes: { tenant: 'a' } },
      { tools: ['orders.list'], attributes: { tenant: 'a' } },
    ]);
    expect(folded).toEqual([
      { tool: 'orders.get', predicates: ['identity.attributes.tenant == "b"'] },
      {
        tool: 'orders.list',
        predicates: ['identity.attributes.tenant == "a"', 'identity.attributes.tenant == "b"'],
      },
    ]);
  });

  it.each([
    { predicates: ['a', 'b', 'a'], want: '(a) || (b)' },
    { predicates: ['a', 'true'], want: 'true' },
  ])('joins $predicates', ({ predicates, want }) => {
    expect(joinPredicates(predicates)).toBe(want);
  });

  it('ORs onto an existing rule and keeps its other settings; adds rules for new tools', () => {
    const merged = mergeToolAccess(
      [{ tool_name: 'orders.list', minimum_trust: 'authenticated', cel_allow_if: 'identity.admin' }],
      [
        { tool: 'orders.list', predicates: ['p1'] },
        { tool: 'orders.get', predicates: ['p2'] },
      ],
    );
    expect(merged).toEqual([
      { tool_name: 'orders.list', minimum_trust: 'authenticated', cel_allow_if: '(identity.admin) || (p1)' },
      { tool_name: 'orders.get', minimum_trust: 'verified', cel_allow_if: '(p2)' },
    ]);
  });
});
