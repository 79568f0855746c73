import { describeError, issueToErrors, type KindDefinition } from '../api/index.ts';
import type { KubeObject } from '../kube/index.ts';
import { TerminalError } from './errors.ts';

/**
 * The object's spec parsed by its kind's schema (defaults applied). The API server validated it already; a spec
 * that still fails (written under an older schema) is a terminal InvalidSpec naming every field.
 */
export function parseSpec(kind: KindDefinition, object: KubeObject): unknown {
  const parsed = kind.spec.safeParse(object.spec);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues
    .flatMap((issue) => issueToErrors(issue, 'spec'))
    .map(describeError)
    .join('; ');
  throw new TerminalError('InvalidSpec', message, { waitsFor: 'spec' });
}
