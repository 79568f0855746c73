/**
 * Fields that make a function act with rights the requesting user may not have: a ServiceAccount the pods run as,
 * Secrets and ConfigMaps they read, Services that open the namespace to the outside. Each is checked against what
 * the user may do themselves (SubjectAccessReview with the review's userInfo), since the functions' own rights are
 * cluster-wide. A reference the stored object already made is not asked about again: whoever wrote it was asked.
 */
import type { FieldError } from '@mcpg-functions/shared/api';
import type { AccessQuestion } from '../lookups.ts';
import { NOTHING, type RuleContext, type RuleFindings } from './context.ts';

/** A field that needs a right of the user; `what` names the object in the message. */
export interface Reference {
  path: string;
  what: string;
  access: Omit<AccessQuestion, 'namespace'>;
}

export const secretRead = (path: string, name: string): Reference => ({
  path,
  what: `Secret ${JSON.stringify(name)}`,
  access: { verb: 'get', resource: 'secrets', name },
});

export const configMapRead = (path: string, name: string): Reference => ({
  path,
  what: `ConfigMap ${JSON.stringify(name)}`,
  access: { verb: 'get', resource: 'configmaps', name },
});

/**
 * Running pods as a ServiceAccount acts as that account. The API server asks `impersonate` on the ServiceAccount
 * before anyone acts as one, and Kubernetes' own `edit` and `admin` roles grant it exactly where they grant pod
 * creation; `get` would not do, since the read-only `view` role may read every ServiceAccount.
 */
export const serviceAccountUse = (path: string, name: string): Reference => ({
  path,
  what: `ServiceAccount ${JSON.stringify(name)}`,
  access: { verb: 'impersonate', resource: 'serviceaccounts', name },
});

export const serviceCreation = (path: string, why: string): Reference => ({
  path,
  what: why,
  access: { verb: 'create', resource: 'services' },
});

const keyOf = (reference: Reference) => JSON.stringify(reference.access);

function refusalMessage(reference: Reference, user: string, namespace: string): string {
  const { verb, resource, name } = reference.access;
  const right = `${verb} ${resource}${name ? ` ${JSON.stringify(name)}` : ''} in namespace ${namespace}`;
  return `names ${reference.what}, but ${user} may not ${right} themselves; use one you may, or ask an administrator for that right`;
}

/** Refuses every reference, new in this write, that the requesting user could not make directly. */
export async function checkReferences<S>(
  context: RuleContext<S>,
  referencesOf: (spec: S) => Reference[],
): Promise<RuleFindings> {
  const { namespace, user, lookups } = context;
  if (!namespace) return { errors: [], warnings: [] };
  const before = new Set(context.oldSpec === undefined ? [] : referencesOf(context.oldSpec).map(keyOf));
  const fresh = referencesOf(context.spec).filter((r) => !before.has(keyOf(r)));
  if (fresh.length === 0) return NOTHING;
  const who = user?.username ? `user ${JSON.stringify(user.username)}` : 'the requesting user';
  const answers = await Promise.all(
    fresh.map((r) => (user ? lookups.userMay(user, { ...r.access, namespace }) : Promise.resolve(false))),
  );
  const errors: FieldError[] = fresh
    .filter((_, index) => !answers[index])
    .map((r) => ({ path: r.path, message: refusalMessage(r, who, namespace) }));
  return { errors, warnings: [] };
}
