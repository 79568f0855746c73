/** Validation findings in the form users read: the field's path and what to change. */
import type { z } from 'zod';

export interface FieldError {
  /** Dotted path such as `spec.entries[2].id`. */
  path: string;
  message: string;
}

export interface ValidationResult {
  errors: FieldError[];
  warnings: string[];
}

export const NO_FINDINGS: ValidationResult = { errors: [], warnings: [] };

/** `spec.replicas must be at least 1 (got 0)` */
export function describeError(error: FieldError): string {
  return error.path ? `${error.path} ${error.message}` : error.message;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `spec.entries[2].id`; map keys that are not plain words are quoted: `spec.capabilityGrants["a.b"]`. */
export function joinPath(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    const key = String(part);
    if (!PLAIN_KEY.test(key)) return `${acc}[${JSON.stringify(key)}]`;
    return acc ? `${acc}.${key}` : key;
  }, base);
}

/** The inverse of joinPath: path segments from a dotted path. */
export function splitPath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const match of path.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) parts.push(Number(match[1]));
    else if (match[2] !== undefined) parts.push(JSON.parse(match[2]) as string);
    else if (match[3] !== undefined) parts.push(match[3]);
  }
  return parts;
}

const ZOD_DEFAULT_PREFIXES = ['Invalid', 'Too small', 'Too big', 'Unrecognized'];

/** Turns one zod issue into field errors with a message that says what to do. */
export function issueToErrors(issue: z.core.$ZodIssue, base: string): FieldError[] {
  const path = joinPath(base, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: joinPath(path, [key]),
      message: 'is not a known field; remove it or check its spelling',
    }));
  }
  return [{ path, message: withInput(messageFor(issue), issue.input) }];
}

function messageFor(issue: z.core.$ZodIssue): string {
  const custom = !ZOD_DEFAULT_PREFIXES.some((prefix) => issue.message.startsWith(prefix));
  if (custom) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `needs at least ${issue.minimum} item(s)`
        : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `allows at most ${issue.maximum} item(s)`
        : `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'has an unsupported form';
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Appends the offending value when it is short enough to help. */
function withInput(message: string, input: unknown): string {
  if (input === undefined || message.includes('(got')) return message;
  if (typeof input === 'object' && input !== null) return message;
  const shown = JSON.stringify(input);
  return shown.length <= 80 ? `${message} (got ${shown})` : message;
}
