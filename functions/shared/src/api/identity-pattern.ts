/**
 * Certificate-identity regular expressions as cosign reads them, for admission and verification alike: RE2 semantics (re2js, a port of RE2 that
 * matches in time linear in the input, so no pattern can stall a pass), and the whole subject must match: the
 * pattern is wrapped as `^(?:…)$`, so an alternation such as `^a@x\.com|b@x\.com$` cannot escape its anchors.
 */
import { RE2JS } from 're2js';

export type SubjectPattern = { matches: (subject: string) => boolean } | { problem: string };

export function subjectPattern(pattern: string): SubjectPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(`^(?:${pattern})$`);
  } catch (error) {
    return { problem: `is not an RE2 expression: ${(error as Error).message}` };
  }
  return { matches: (subject) => compiled.matches(subject) };
}
