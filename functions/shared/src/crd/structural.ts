/**
 * Turns a zod schema into the structural OpenAPI v3 schema a CustomResourceDefinition needs.
 * zod's JSON Schema output is close; Kubernetes differs in a few places, each handled below.
 * Anything this converter does not know fails the generation rather than slipping into a CRD.
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const KEPT_KEYS = new Set([
  'type',
  'format',
  'description',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);
const DROPPED_KEYS = new Set(['$schema', 'propertyNames', 'id']);
const IMPLIED_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2147483647, -2147483648]);

export function toStructuralSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'throw',
    reused: 'inline',
    cycles: 'throw',
  });
  return convert(json, '');
}

function convert(node: JsonSchema, at: string): JsonSchema {
  if (Array.isArray(node.anyOf)) return intOrString(node, at);
  if (Array.isArray(node.type)) throw new Error(`${at}: a field of several types has no structural CRD form`);
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYS.has(key)) continue;
    if (key.startsWith('x-kubernetes-')) out[key] = value;
    else if (key === 'const') out.enum = [value];
    else if (!KEPT_KEYS.has(key))
      throw new Error(`${at || '<root>'}: JSON Schema keyword "${key}" has no CRD form`);
    else out[key] = convertChild(key, value, at);
  }
  return tidy(out);
}

function convertChild(key: string, value: unknown, at: string): unknown {
  if (key === 'properties') {
    return Object.fromEntries(
      Object.entries(value as Record<string, JsonSchema>).map(([name, child]) => [
        name,
        convert(child, `${at}.${name}`),
      ]),
    );
  }
  if (key === 'items') return convert(value as JsonSchema, `${at}[]`);
  if (key === 'additionalProperties' && typeof value === 'object')
    return convert(value as JsonSchema, `${at}{}`);
  return value;
}

/** Kubernetes keeps its own meaning for some keywords; bring zod's output in line with it. */
function tidy(out: JsonSchema): JsonSchema {
  tidyBounds(out);
  // Strict objects reject unknown fields when parsing; in a CRD, pruning and strict field validation do that,
  // and additionalProperties may not stand next to properties.
  if (out.additionalProperties === false) delete out.additionalProperties;
  // The API server checks date-time itself; zod's long pattern only repeats that.
  if (out.format === 'date-time') delete out.pattern;
  // A free-form object keeps whatever it is given; "additionalProperties: {}" would contradict that.
  if (out['x-kubernetes-preserve-unknown-fields'] === true) {
    const extra = out.additionalProperties as JsonSchema | undefined;
    if (extra && Object.keys(extra).length === 0) delete out.additionalProperties;
  }
  return out;
}

function tidyBounds(out: JsonSchema): void {
  // Integer bounds zod adds for "safe integer" or int32 say nothing beyond the type and format.
  if (typeof out.minimum === 'number' && IMPLIED_BOUNDS.has(out.minimum)) delete out.minimum;
  if (typeof out.maximum === 'number' && IMPLIED_BOUNDS.has(out.maximum)) delete out.maximum;
  // OpenAPI v3.0 (what CRDs use) writes exclusive bounds as booleans next to minimum/maximum.
  if (typeof out.exclusiveMinimum === 'number') {
    out.minimum = out.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof out.exclusiveMaximum === 'number') {
    out.maximum = out.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
}

/** The one union a structural schema allows: integer or string, written as x-kubernetes-int-or-string. */
function intOrString(node: JsonSchema, at: string): JsonSchema {
  const types = (node.anyOf as JsonSchema[]).map((member) => member.type).sort();
  if (node['x-kubernetes-int-or-string'] !== true || types.join(',') !== 'integer,string') {
    throw new Error(`${at}: unions other than integer-or-string have no structural CRD form`);
  }
  const out: JsonSchema = { 'x-kubernetes-int-or-string': true };
  if (typeof node.description === 'string') out.description = node.description;
  return out;
}
