/**
 * The webhook's decision for one request: the cluster-free rules every kind shares with `mcpg validate`,
 * then the rules that look at other objects. Pure apart from the lookups it is given.
 */
import {
  describeError,
  findKind,
  GROUP,
  validateManifest,
  type FieldError,
} from '@mcpg-functions/shared/api';
import { isWorkloadKind } from '@mcpg-functions/shared/workloads';
import type { AdmissionRequest, Verdict } from './admission-review.ts';
import { LookupError, type ClusterLookups } from './lookups.ts';
import type { CrossObjectRule, RuleFindings } from './rules/context.ts';
import type { AdmissionPolicy } from './policy.ts';
import { childNameRule } from './rules/child-names.ts';
import { gatewayRules } from './rules/gateway.ts';
import { instanceRules } from './rules/instance.ts';
import { guardSkipValidationLabel, SKIP_VALIDATION_LABEL } from './rules/namespace.ts';
import { pluginRules } from './rules/plugin.ts';
import { pluginSetRules } from './rules/plugin-set.ts';
import { revocationListRules } from './rules/revocation-list.ts';
import { routeRules } from './rules/route.ts';
import { serverRules } from './rules/server.ts';
import { tenantRules } from './rules/tenant.ts';

export interface DecisionContext {
  lookups: ClusterLookups;
  /** Fail: refuse when a lookup fails. Ignore: admit with a warning. */
  lookupFailurePolicy: 'Fail' | 'Ignore';
  /** Groups allowed to set or clear the skip-validation namespace label. */
  privilegedGroups: readonly string[];
  /** The operator's settings for Ingresses and reserved namespaces. */
  policy: AdmissionPolicy;
}

const CROSS_OBJECT_RULES: Record<string, CrossObjectRule<never>> = {
  MCPGGateway: gatewayRules,
  MCPGServer: serverRules,
  MCPGInstance: instanceRules,
  MCPGPlugin: pluginRules,
  MCPGPluginSet: pluginSetRules,
  MCPGRoute: routeRules,
  MCPGTenant: tenantRules,
  MCPGRevocationList: revocationListRules,
};

/** Kinds whose field checks a namespace's skip-validation label turns off (tenant rules still apply). */
const SKIPPABLE = new Set(['MCPGGateway', 'MCPGPluginSet', 'MCPGRoute']);

const allow = (warnings: string[] = []): Verdict => ({ allowed: true, warnings });

export async function decide(
  request: AdmissionRequest,
  expectedKind: string,
  context: DecisionContext,
): Promise<Verdict> {
  if (request.operation === 'DELETE' || request.operation === 'CONNECT' || request.object === undefined)
    return allow();
  if (expectedKind === 'Namespace') return guardSkipValidationLabel(request, context.privilegedGroups);
  if (request.kind.group !== GROUP || request.kind.kind !== expectedKind) {
    const got = `${request.kind.group}/${request.kind.kind}`;
    return {
      allowed: false,
      code: 400,
      message: `this webhook path validates ${GROUP}/${expectedKind}, not ${got}`,
      warnings: [],
    };
  }
  try {
    return await decideObject(request, expectedKind, context);
  } catch (error) {
    if (!(error instanceof LookupError)) throw error;
    if (context.lookupFailurePolicy === 'Ignore') {
      return allow([`cross-object checks skipped: ${error.message}`]);
    }
    return {
      allowed: false,
      code: 503,
      message: `${error.message}; retry, or ask an administrator to set the webhook's lookup failure policy to Ignore`,
      warnings: [],
    };
  }
}

async function decideObject(
  request: AdmissionRequest,
  kindName: string,
  context: DecisionContext,
): Promise<Verdict> {
  const skipFieldChecks =
    SKIPPABLE.has(kindName) && (await namespaceSkipsValidation(request.namespace, context));
  const local = validateManifest(request.object);
  if (local.errors.length > 0 && !skipFieldChecks) return refuse(local.errors, local.warnings, 422);
  const names = await newChildNames(request, kindName, context);
  const rule = CROSS_OBJECT_RULES[kindName];
  const findings: RuleFindings = rule
    ? await applyRule(rule, request, { kindName, parsedSpec: local.parsed?.spec }, context).catch(
        (error: unknown) => {
          if (error instanceof LookupError || local.errors.length === 0) throw error;
          // Break-glass skips field checks, never the rules about rights and other objects: what they cannot read
          // is refused, not let through.
          return { errors: local.errors, warnings: [] };
        },
      )
    : { errors: [], warnings: [] };
  const errors = [...names.errors, ...findings.errors];
  const warnings = [...local.warnings, ...findings.warnings];
  return errors.length > 0 ? refuse(errors, warnings, 403) : allow(warnings);
}

/** A new workload object must not need a child name another kind's object already uses. */
async function newChildNames(
  request: AdmissionRequest,
  kindName: string,
  context: DecisionContext,
): Promise<RuleFindings> {
  if (request.operation !== 'CREATE' || !isWorkloadKind(kindName)) return { errors: [], warnings: [] };
  return childNameRule(kindName, {
    name: objectName(request),
    namespace: request.namespace,
    lookups: context.lookups,
  });
}

/**
 * Runs a kind's rule on the spec as the schema made it (defaults applied; the field checks' parse when they
 * passed, so a review parses its spec once); with field checks skipped and a spec the schema refuses, on the spec
 * as written, so that the rules about rights still see every field.
 */
function applyRule(
  rule: CrossObjectRule<never>,
  request: AdmissionRequest,
  { kindName, parsedSpec }: { kindName: string; parsedSpec: unknown },
  context: DecisionContext,
): Promise<RuleFindings> {
  const spec = (object: unknown) => {
    const written = (object as { spec?: unknown } | undefined)?.spec;
    return (findKind(kindName)?.spec.safeParse(written).data ?? written) as never;
  };
  return rule({
    name: objectName(request),
    namespace: request.namespace,
    spec: (parsedSpec ?? spec(request.object)) as never,
    oldSpec: request.oldObject === undefined ? undefined : spec(request.oldObject),
    user: request.userInfo,
    policy: context.policy,
    lookups: context.lookups,
  });
}

function objectName(request: AdmissionRequest): string {
  return request.name ?? (request.object as { metadata?: { name?: string } }).metadata?.name ?? '';
}

async function namespaceSkipsValidation(
  namespace: string | undefined,
  context: DecisionContext,
): Promise<boolean> {
  if (!namespace) return false;
  const labels = await context.lookups.namespaceLabels(namespace);
  return labels?.[SKIP_VALIDATION_LABEL] === 'true';
}

function refuse(errors: FieldError[], warnings: string[], code: number): Verdict {
  return { allowed: false, code, message: errors.map(describeError).join('; '), warnings };
}
