import type { FieldError } from '@mcpg-functions/shared/api';
import type { ClusterLookups } from '../lookups.ts';

/** What a cross-object rule sees: the object (already schema-valid), where it lives and the cluster. */
export interface RuleContext<S> {
  name: string;
  namespace: string | undefined;
  spec: S;
  lookups: ClusterLookups;
}

export interface RuleFindings {
  errors: FieldError[];
  warnings: string[];
}

export type CrossObjectRule<S> = (context: RuleContext<S>) => Promise<RuleFindings>;

export const NOTHING: RuleFindings = { errors: [], warnings: [] };
