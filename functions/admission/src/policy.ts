/**
 * The operator's settings for what tenants may ask of an Ingress controller through MCPG objects, and for which
 * namespaces no tenant may claim. Patterns are the operator's, not a tenant's: `*` matches any run of characters.
 */
export interface AdmissionPolicy {
  /** IngressClasses MCPG objects may name; empty allows any (an unset class means the cluster default). */
  ingressClasses: readonly string[];
  /** Annotation keys an Ingress may carry: a key must match one allowed pattern and no denied one. */
  ingressAnnotationsAllowed: readonly string[];
  ingressAnnotationsDenied: readonly string[];
  /** The namespace the operator runs in, which no tenant may claim (empty: unknown). */
  operatorNamespace: string;
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

export const OPEN_POLICY: AdmissionPolicy = {
  ingressClasses: [],
  ingressAnnotationsAllowed: ['*'],
  ingressAnnotationsDenied: DEFAULT_DENIED_ANNOTATIONS,
  operatorNamespace: '',
};

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^(?:${source})$`, 'i').test(value);
}

/** Why an annotation key is not allowed, or undefined when it is. */
export function annotationRefusal(policy: AdmissionPolicy, key: string): string | undefined {
  const denied = policy.ingressAnnotationsDenied.find((p) => globMatches(p, key));
  if (denied !== undefined) return `matches the denied pattern ${JSON.stringify(denied)}`;
  if (!policy.ingressAnnotationsAllowed.some((p) => globMatches(p, key)))
    return `matches none of the allowed patterns (${policy.ingressAnnotationsAllowed.join(', ')})`;
  return undefined;
}
