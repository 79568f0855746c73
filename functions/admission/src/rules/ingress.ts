/**
 * What an MCPG object asks of the cluster's Ingress controllers: a class the operator allows, annotations the
 * operator allows (no controller snippets or auth URLs by default), and hosts no other namespace serves already.
 */
import type { FieldError } from '@mcpg-functions/shared/api';
import { ingressPolicyErrors, type IngressRequest } from '@mcpg-functions/shared/workloads';
import type { RuleContext, RuleFindings } from './context.ts';

async function hostErrors(
  request: IngressRequest,
  before: ReadonlySet<string>,
  context: RuleContext<unknown>,
): Promise<FieldError[]> {
  const fresh = request.hosts.filter((h) => !before.has(h.host.toLowerCase()));
  const holders = await Promise.all(fresh.map((h) => context.lookups.hostNamespaces(h.host)));
  return fresh.flatMap((h, index) => {
    const others = (holders[index] ?? []).filter((ns) => ns !== context.namespace);
    return others.length === 0
      ? []
      : [
          {
            path: h.path,
            message: `is already served for namespace ${others.join(', ')} (got ${JSON.stringify(h.host)}); choose another host, or have it released there first`,
          },
        ];
  });
}

/** Checks the ingress an object asks for; unchanged hosts of the stored object are not re-judged. */
export async function checkIngress<S>(
  context: RuleContext<S>,
  ingressOf: (spec: S) => IngressRequest | undefined,
): Promise<RuleFindings> {
  const request = ingressOf(context.spec);
  if (!request) return { errors: [], warnings: [] };
  const previous = context.oldSpec === undefined ? undefined : ingressOf(context.oldSpec);
  const before = new Set((previous?.hosts ?? []).map((h) => h.host.toLowerCase()));
  const loose = context as RuleContext<unknown>;
  return {
    errors: [...ingressPolicyErrors(context.policy, request), ...(await hostErrors(request, before, loose))],
    warnings: [],
  };
}
