/**
 * What an MCPG object asks of the cluster's Ingress controllers: a class the operator allows, annotations the
 * operator allows (no controller snippets or auth URLs by default), and hosts no other namespace serves already.
 */
import type { FieldError } from '@mcpg-functions/shared/api';
import { annotationRefusal } from '../policy.ts';
import type { RuleContext, RuleFindings } from './context.ts';

export interface IngressRequest {
  /** Field path of the ingress block, such as `spec.ingress`. */
  path: string;
  /** Where the class is set (`spec.ingress.className`), and its value (undefined: the cluster default). */
  classField: string;
  className: string | undefined;
  annotations: Record<string, string> | undefined;
  hosts: { path: string; host: string }[];
}

function classErrors(request: IngressRequest, allowed: readonly string[]): FieldError[] {
  if (allowed.length === 0 || request.className === undefined || allowed.includes(request.className))
    return [];
  return [
    {
      path: request.classField,
      message: `must be one of the IngressClasses the operator allows: ${allowed.join(', ')} (got ${JSON.stringify(request.className)})`,
    },
  ];
}

function annotationErrors(request: IngressRequest, context: RuleContext<unknown>): FieldError[] {
  return Object.keys(request.annotations ?? {}).flatMap((key) => {
    const why = annotationRefusal(context.policy, key);
    return why === undefined
      ? []
      : [
          {
            path: `${request.path}.annotations["${key}"]`,
            message: `${why}, so the operator does not let MCPG objects set it; remove it, or ask the operator to allow it`,
          },
        ];
  });
}

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
    errors: [
      ...classErrors(request, context.policy.ingressClasses),
      ...annotationErrors(request, loose),
      ...(await hostErrors(request, before, loose)),
    ],
    warnings: [],
  };
}
