import type { FieldError, ValidationResult } from './field-errors.ts';
import { subjectPattern } from './identity-pattern.ts';
import type { PluginSpec } from './plugin.schema.ts';

/** Constructs JavaScript accepts but RE2 (what cosign and Go use) does not: lookaround and backreferences. */
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]|\\k</;

/** Whether a regular expression compiles and stays within RE2's syntax; the reason when not. */
export function re2Problem(pattern: string): string | undefined {
  if (NOT_RE2.test(pattern)) return 'uses lookaround or a backreference, which RE2 does not support';
  const compiled = subjectPattern(pattern);
  return 'problem' in compiled ? compiled.problem : undefined;
}

export function validatePluginSpec(spec: PluginSpec): ValidationResult {
  const errors: FieldError[] = [];
  const regexp = spec.trust.cosignIdentity?.certificateIdentityRegexp;
  const problem = regexp === undefined ? undefined : re2Problem(regexp);
  if (problem) errors.push({ path: 'spec.trust.cosignIdentity.certificateIdentityRegexp', message: problem });
  return { errors, warnings: [] };
}
