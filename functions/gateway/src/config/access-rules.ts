/**
 * Tool-access rules from routes: each bound route allows its tools to callers whose identity carries the
 * route's tenant attribute. Values become CEL string literals, so quotes, backslashes and control characters
 * are escaped and a route cannot inject CEL.
 */
import type { ToolAccess } from '../types.ts';

export const DEFAULT_IDENTITY_KEY = 'tenant';

const NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  const control = code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029;
  return control ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
}

/** A CEL double-quoted string literal holding exactly `value`. */
export function celString(value: string): string {
  return `"${value.replace(/./gsu, escapeChar)}"`;
}

/** `identity.attributes.tenant == "team-a"`; keys that are not identifiers use index syntax. */
export function attributePredicate(key: string, value: string): string {
  const field = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `identity.attributes.${key}`
    : `identity.attributes[${celString(key)}]`;
  return `${field} == ${celString(value)}`;
}

/** The identity a route's callers must carry: its namespace tenant's attribute wins over the route's own. */
export interface RouteIdentity {
  tools: string[];
  /** From the tenant owning the route's namespace (MCPGTenant.spec.identityAttribute). */
  tenantAttribute?: { key: string; value: string } | undefined;
  attributes?: Record<string, string> | undefined;
}

export function routePredicate(route: RouteIdentity): string {
  if (route.tenantAttribute)
    return attributePredicate(route.tenantAttribute.key, route.tenantAttribute.value);
  const value = route.attributes?.[DEFAULT_IDENTITY_KEY];
  return value === undefined ? 'true' : attributePredicate(DEFAULT_IDENTITY_KEY, value);
}

/** Per tool, the distinct predicates of every route granting it, in a stable order. */
export function foldRoutes(routes: readonly RouteIdentity[]): ToolAccess[] {
  const byTool = new Map<string, Set<string>>();
  for (const route of routes) {
    const predicate = routePredicate(route);
    for (const tool of route.tools) {
      const set = byTool.get(tool) ?? new Set<string>();
      set.add(predicate);
      byTool.set(tool, set);
    }
  }
  return [...byTool.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tool, predicates]) => ({ tool, predicates: [...predicates].sort() }));
}

/** One CEL expression: predicates OR-ed, each in parentheses; any `true` allows everyone. */
export function joinPredicates(predicates: readonly string[]): string {
  const distinct = [...new Set(predicates)];
  if (distinct.includes('true')) return 'true';
  return distinct.map((p) => `(${p})`).join(' || ');
}

type Rule = Record<string, unknown> & { tool_name?: unknown; cel_allow_if?: unknown };

/**
 * Merges the folded rules into `governance.policy.tool_access.rules`: a rule the config already has for the
 * tool keeps its settings and has the routes' predicates OR-ed onto its own; other tools get a new rule.
 */
export function mergeToolAccess(existing: readonly unknown[], access: readonly ToolAccess[]): unknown[] {
  const rules = existing.map((rule) => (isRule(rule) ? { ...rule } : rule));
  for (const { tool, predicates } of access) {
    const current = rules.find((r): r is Rule => isRule(r) && r.tool_name === tool);
    if (!current) {
      rules.push({ tool_name: tool, minimum_trust: 'verified', cel_allow_if: joinPredicates(predicates) });
      continue;
    }
    const own = typeof current.cel_allow_if === 'string' && current.cel_allow_if.trim() !== '';
    current.cel_allow_if = joinPredicates(own ? [current.cel_allow_if as string, ...predicates] : predicates);
  }
  return rules;
}

function isRule(value: unknown): value is Rule {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
