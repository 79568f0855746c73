/**
 * Building blocks shared by the ten kinds of mcpg.dev/v1alpha2. Every schema here is also the source of
 * the generated CRD, so each field carries the description `kubectl explain` shows.
 */
import { z } from 'zod';

export const GROUP = 'mcpg.dev';
export const VERSION = 'v1alpha2';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Marks a free-form object the API server stores as given (`x-kubernetes-preserve-unknown-fields`). */
export function freeform(description: string) {
  return z
    .record(z.string(), z.unknown())
    .meta({ description, 'x-kubernetes-preserve-unknown-fields': true });
}

/** A string-to-string map (labels, annotations, environment, attributes). */
export function stringMap(description: string) {
  return z.record(z.string(), z.string()).describe(description);
}

/** An integer that Kubernetes stores as int32. */
export function int32(description: string) {
  return z.int().min(-2147483648).max(2147483647).meta({ description, format: 'int32' });
}

/** A non-negative count (int64 in the API). */
export function count(description: string) {
  return z.int().min(0).meta({ description, format: 'int64' });
}

export function nonBlank(description: string) {
  return z.string().trim().min(1, 'must not be blank').describe(description);
}

/** Either an integer or a percentage string such as `25%` (`x-kubernetes-int-or-string`). */
export function intOrString(description: string) {
  return z
    .union([z.int().min(0), z.string().regex(/^\d+%?$/, 'must be a number or a percentage like 25%')])
    .meta({
      description,
      'x-kubernetes-int-or-string': true,
    });
}

export function timestamp(description: string) {
  return z.iso.datetime({ offset: true }).describe(description);
}

/** A reference to another object by name (same namespace, or cluster-scoped). */
export function nameRef(description: string) {
  return z.strictObject({ name: nonBlank('Name of the referenced object.') }).describe(description);
}

/** A Kubernetes object name (DNS subdomain). */
export const dnsSubdomain = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lower-case DNS name (letters, digits, "-" and ".")');

/** A DNS label: 1–63 lower-case letters, digits and `-`, no `-` at either end. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (1-63 lower-case letters, digits and "-")');

export const conditionSchema = z
  .strictObject({
    type: z.string().min(1).max(316).describe('Type of condition in CamelCase, such as Ready.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition: True, False or Unknown.'),
    reason: z
      .string()
      .max(1024)
      .describe('Machine-readable CamelCase reason for the last transition, stable across releases.'),
    message: z.string().max(32768).optional().describe('Human-readable details about the last transition.'),
    lastTransitionTime: timestamp('When the condition last changed status.'),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'The .metadata.generation the condition was computed from.', format: 'int64' }),
  })
  .describe('One aspect of the object’s current state, in the shape of metav1.Condition.');

export type Condition = z.infer<typeof conditionSchema>;

/** Fields every kind's status carries. */
export const commonStatusFields = {
  observedGeneration: z
    .int()
    .min(0)
    .optional()
    .meta({ description: 'The .metadata.generation the status describes.', format: 'int64' }),
  conditions: z
    .array(conditionSchema)
    .max(32)
    .optional()
    .meta({
      description: 'Current conditions; one entry per type.',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
  lastReconcileTime: timestamp('When the status last changed as the result of a reconcile.').optional(),
  failureCount: z
    .int()
    .min(0)
    .optional()
    .meta({ description: 'Consecutive failed reconciles; cleared by a successful one.', format: 'int32' }),
  nextAttemptAt: timestamp(
    'After a failure: the earliest time a periodic resync retries this object.',
  ).optional(),
};

export const resourceRequirementsSchema = z
  .strictObject({
    requests: stringMap('Minimum resources, such as cpu: 200m and memory: 256Mi.').optional(),
    limits: stringMap('Maximum resources, such as cpu: "1" and memory: 1Gi.').optional(),
  })
  .describe('Compute resources of the main container.');

/** Liveness, readiness and startup probe overrides; `path` selects HTTP GET, its absence `pathless` behaviour. */
export function probesSchema(pathless: string, description: string) {
  const probe = z
    .strictObject({
      path: z.string().optional().describe(`HTTP GET path; ${pathless} when unset.`),
      initialDelaySeconds: int32('Seconds after start before the first probe.').min(0).optional(),
      periodSeconds: int32('Seconds between probes.').min(1).optional(),
      timeoutSeconds: int32('Seconds after which a probe times out.').min(1).optional(),
      failureThreshold: int32('Consecutive failures before the probe fails.').min(1).optional(),
      successThreshold: int32('Consecutive successes before the probe succeeds.').min(1).optional(),
    })
    .describe('One probe override.');
  return z
    .strictObject({ liveness: probe.optional(), readiness: probe.optional(), startup: probe.optional() })
    .describe(description);
}

export const localObjectReference = z
  .strictObject({ name: nonBlank('Name of the Secret.') })
  .describe('A Secret in the same namespace.');

/**
 * A rule the API server enforces through CEL (`x-kubernetes-validations`) and the offline validator and
 * webhook enforce through the same-named TypeScript predicate. Both sides live together here, and the
 * integration tests send the same objects to both.
 */
export interface Rule<T> {
  cel: string;
  message: string;
  holds: (value: T) => boolean;
}

/** Attaches rules to an object schema: as CEL in the generated CRD, as checks when parsing. */
export function withRules<S extends z.ZodType>(
  schema: S,
  description: string,
  rules: Rule<z.output<S>>[],
): S {
  return schema
    .superRefine((value, ctx) => {
      for (const rule of rules) {
        if (!rule.holds(value)) ctx.addIssue({ code: 'custom', message: rule.message, input: value });
      }
    })
    .meta({
      description,
      'x-kubernetes-validations': rules.map(({ cel, message }) => ({ rule: cel, message })),
    });
}

/** How many of the values are set (present and not undefined). */
export function countSet(...values: unknown[]): number {
  return values.filter((v) => v !== undefined).length;
}

/**
 * A list whose items are unique by `key`: a list-map for the API server (which then enforces uniqueness and
 * merges by key under server-side apply), a duplicate check for the offline validator.
 */
export function listMap<T extends z.ZodType>(items: T, key: string & keyof z.output<T>, description: string) {
  return z
    .array(items)
    .superRefine((list, ctx) => {
      const seen = new Set<unknown>();
      list.forEach((item, index) => {
        const id = (item as Record<string, unknown>)[key];
        if (seen.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, key],
            message: 'is listed twice',
            input: id,
          });
        }
        seen.add(id);
      });
    })
    .meta({ description, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
}
