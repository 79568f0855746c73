/**
 * The operator's settings for what MCPG objects may ask of the cluster's Ingress controllers, checked by the
 * webhook at write time and again by the functions that render Ingresses (the webhook may be bypassed, with
 * failurePolicy Ignore, or objects may predate the settings). Patterns are the operator's, not a tenant's: `*`
 * matches any run of characters.
 */
import { z } from 'zod';
import type { FieldError } from '../api/field-errors.ts';
import type { GatewaySpec } from '../api/gateway.schema.ts';
import type { ServerSpec } from '../api/server.schema.ts';

export interface IngressPolicy {
  /** IngressClasses MCPG objects may name; empty allows any (an unset class means the cluster default). */
  ingressClasses: readonly string[];
  /** Annotation keys an Ingress may carry: a key must match one allowed pattern and no denied one. */
  ingressAnnotationsAllowed: readonly string[];
  ingressAnnotationsDenied: readonly string[];
}

/** Controller snippets run arbitrary controller configuration; auth URLs and secret references reach across tenants. */
export const DEFAULT_DENIED_ANNOTATIONS = [
  '*snippet*',
  '*/auth-url',
  '*/auth-signin',
  '*/auth-secret',
  '*/auth-tls-secret',
  '*/proxy-ssl-secret',
] as const;

/** A comma-separated setting, as a list without blanks. */
export const commaList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

/** The environment the webhook and the rendering functions read the same settings from. */
export const ingressPolicySettings = z.object({
  MCPG_INGRESS_CLASSES: commaList(''),
  MCPG_INGRESS_ANNOTATIONS_ALLOWED: commaList('*'),
  MCPG_INGRESS_ANNOTATIONS_DENIED: commaList(DEFAULT_DENIED_ANNOTATIONS.join(',')),
});

export function ingressPolicyOf(settings: z.output<typeof ingressPolicySettings>): IngressPolicy {
  return {
    ingressClasses: settings.MCPG_INGRESS_CLASSES,
    ingressAnnotationsAllowed: settings.MCPG_INGRESS_ANNOTATIONS_ALLOWED,
    ingressAnnotationsDenied: settings.MCPG_INGRESS_ANNOTATIONS_DENIED,
  };
}

export const DEFAULT_INGRESS_POLICY: IngressPolicy = ingressPolicyOf(ingressPolicySettings.parse({}));

/** What an MCPG object asks of an Ingress controller, with the field paths a message names. */
export interface IngressRequest {
  /** Field path of the ingress block, such as `spec.ingress`. */
  path: string;
  /** Where the class is set (`spec.ingress.className`), and its value (undefined: the cluster default). */
  classField: string;
  className: string | undefined;
  annotations: Record<string, string> | undefined;
  hosts: { path: string; host: string }[];
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^(?:${source})$`, 'i').test(value);
}

/** Why an annotation key is not allowed, or undefined when it is. */
export function annotationRefusal(policy: IngressPolicy, key: string): string | undefined {
  const denied = policy.ingressAnnotationsDenied.find((p) => globMatches(p, key));
  if (denied !== undefined) return `matches the denied pattern ${JSON.stringify(denied)}`;
  if (!policy.ingressAnnotationsAllowed.some((p) => globMatches(p, key)))
    return `matches none of the allowed patterns (${policy.ingressAnnotationsAllowed.join(', ')})`;
  return undefined;
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

function annotationErrors(request: IngressRequest, policy: IngressPolicy): FieldError[] {
  return Object.keys(request.annotations ?? {}).flatMap((key) => {
    const why = annotationRefusal(policy, key);
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

/** Every field of the request the operator's settings forbid, each with its fix. */
export function ingressPolicyErrors(policy: IngressPolicy, request: IngressRequest): FieldError[] {
  return [...classErrors(request, policy.ingressClasses), ...annotationErrors(request, policy)];
}

export function serverIngressRequest(spec: ServerSpec): IngressRequest | undefined {
  const ingress = spec.ingress;
  if (!ingress) return undefined;
  return {
    path: 'spec.ingress',
    classField: 'spec.ingress.className',
    className: ingress.className,
    annotations: ingress.annotations,
    hosts: ingress.host ? [{ path: 'spec.ingress.host', host: ingress.host }] : [],
  };
}

export function gatewayIngressRequest(spec: GatewaySpec): IngressRequest | undefined {
  const ingress = spec.ingress;
  if (!ingress) return undefined;
  return {
    path: 'spec.ingress',
    classField: 'spec.ingress.ingressClassName',
    className: ingress.ingressClassName,
    annotations: ingress.annotations,
    hosts: ingress.hosts.map((h, i) => ({ path: `spec.ingress.hosts[${i}].host`, host: h.host })),
  };
}
