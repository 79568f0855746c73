import type { FieldError } from '@mcpg-functions/shared/api';
import type { UserInfo } from '../admission-review.ts';
import type { ClusterLookups } from '../lookups.ts';
import type { AdmissionPolicy } from '../policy.ts';

/** What a cross-object rule sees: the object (already schema-valid), where it lives, who asks, and the cluster. */
export interface RuleContext<S> {
  name: string;
  namespace: string | undefined;
  spec: S;
  /** The stored spec on an update (whatever the schema made of it), so that unchanged fields are not re-judged. */
  oldSpec: S | undefined;
  /** The requesting user, as the API server authenticated them. */
  user: UserInfo | undefined;
  policy: AdmissionPolicy;
  lookups: ClusterLookups;
}

export interface RuleFindings {
  errors: FieldError[];
  warnings: string[];
}

export type CrossObjectRule<S> = (context: RuleContext<S>) => Promise<RuleFindings>;

export const NOTHING: RuleFindings = { errors: [], warnings: [] };

export function combine(...findings: RuleFindings[]): RuleFindings {
  return {
    errors: findings.flatMap((f) => f.errors),
    warnings: findings.flatMap((f) => f.warnings),
  };
}
