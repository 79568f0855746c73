/** Renders docs/api.md, the API reference, from the same structural schemas the CRDs carry. */
import { API_VERSION } from '../api/common.ts';
import { KINDS, type KindDefinition } from '../api/kinds.ts';
import { toStructuralSchema, type JsonSchema } from './structural.ts';

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  details: string;
}

function typeOf(node: JsonSchema): string {
  if (node['x-kubernetes-int-or-string']) return 'int or string';
  if (node['x-kubernetes-preserve-unknown-fields'] && !node.properties) return 'object (free-form)';
  if (node.type === 'array') return `[]${typeOf((node.items ?? {}) as JsonSchema)}`;
  if (node.type === 'object' && typeof node.additionalProperties === 'object') {
    return `map[string]${typeOf(node.additionalProperties as JsonSchema)}`;
  }
  return typeof node.format === 'string' ? `${String(node.type)} (${node.format})` : String(node.type);
}

const escape = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Numeric limits as phrases: [keyword, how to say it]. */
const BOUNDS: [string, (value: number) => string][] = [
  ['minimum', (v) => `≥ ${v}`],
  ['maximum', (v) => `≤ ${v}`],
  ['maxLength', (v) => `at most ${v} characters`],
  ['minItems', (v) => `at least ${v} item(s)`],
  ['maxItems', (v) => `at most ${v} items`],
];

function listLimits(node: JsonSchema): string[] {
  const keys = node['x-kubernetes-list-map-keys'];
  if (Array.isArray(keys)) return [`unique by ${keys.map((k) => `\`${String(k)}\``).join(', ')}`];
  return node['x-kubernetes-list-type'] === 'set' ? ['unique items'] : [];
}

function limitsOf(node: JsonSchema): string[] {
  const parts: string[] = [];
  if (Array.isArray(node.enum)) parts.push(`one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (node.default !== undefined) parts.push(`default \`${JSON.stringify(node.default)}\``);
  for (const [keyword, say] of BOUNDS) {
    const value = node[keyword];
    if (typeof value === 'number') parts.push(say(value));
  }
  if (typeof node.pattern === 'string') parts.push(`pattern \`${node.pattern}\``);
  parts.push(...listLimits(node));
  const rules = (node['x-kubernetes-validations'] ?? []) as { message: string }[];
  parts.push(...rules.map((r) => `rule: ${r.message}`));
  return parts;
}

function rows(node: JsonSchema, prefix: string, out: FieldRow[]): FieldRow[] {
  const required = new Set((node.required ?? []) as string[]);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
    const path = `${prefix}.${name}`;
    const description = typeof child.description === 'string' ? child.description : '';
    const limits = limitsOf(child);
    const details =
      limits.length > 0 ? `${description.replace(/\.$/, '')}; ${limits.join('; ')}` : description;
    out.push({ path, type: typeOf(child), required: required.has(name), details });
    const inner = child.type === 'array' ? (child.items as JsonSchema | undefined) : child;
    if (inner?.properties) rows(inner, child.type === 'array' ? `${path}[]` : path, out);
  }
  return out;
}

function table(schema: JsonSchema, root: string): string {
  const lines = ['| Field | Type | Required | Description |', '|---|---|---|---|'];
  for (const row of rows(schema, root, [])) {
    lines.push(
      `| \`${row.path}\` | ${escape(row.type)} | ${row.required ? 'yes' : ''} | ${escape(row.details)} |`,
    );
  }
  return lines.join('\n');
}

function section(kind: KindDefinition): string {
  const spec = toStructuralSchema(kind.spec);
  const rules = limitsOf({ 'x-kubernetes-validations': spec['x-kubernetes-validations'] });
  return [
    `## ${kind.kind}`,
    '',
    `${kind.description} ${kind.scope === 'Cluster' ? 'Cluster-scoped' : 'Namespaced'}; short name \`${kind.shortName}\`; \`kubectl get ${kind.plural}\`.`,
    '',
    ...(rules.length > 0
      ? [
          'Spec rules (enforced by the API server):',
          '',
          ...rules.map((r) => `- ${r.slice('rule: '.length)}`),
          '',
        ]
      : []),
    '### Spec',
    '',
    table(spec, 'spec'),
    '',
    '### Status',
    '',
    table(toStructuralSchema(kind.status), 'status'),
    '',
  ].join('\n');
}

export function renderApiReference(): string {
  return [
    '<!-- Generated from the zod schemas in functions/shared/src/api by `make generate`. Do not edit. -->',
    `# API reference: \`${API_VERSION}\``,
    '',
    'Every field below is enforced by the CustomResourceDefinitions in `crds/` (types, limits, defaults and the',
    'listed rules), so the API server refuses invalid objects even when the admission webhook is down. The',
    'webhook adds the rules that look at other objects; `mcpg validate` applies every rule that needs no cluster.',
    '',
    ...KINDS.map((k) => `- [${k.kind}](#${k.kind.toLowerCase()})`),
    '',
    ...KINDS.map(section),
  ].join('\n');
}
