/**
 * Whether a function may render the Ingress an object asks for, judged again on every pass: the webhook judged
 * it at write time, but it may have been bypassed (failurePolicy Ignore), the object may predate the operator's
 * settings, and two objects asking for one host at once both pass its check. A refusal leaves the Ingress out
 * and says which field to change.
 */
import { API_VERSION } from '../api/common.ts';
import { describeError } from '../api/field-errors.ts';
import type { KubeObject, ObjectClient } from '../kube/index.ts';
import { claimOf, hostsHeldElsewhere, type HostClaim } from './hosts.ts';
import { ingressPolicyErrors, type IngressPolicy, type IngressRequest } from './ingress-policy.ts';

export interface IngressRefusal {
  reason: 'IngressNotAllowed' | 'HostConflict';
  message: string;
}

const CLAIMANT_KINDS = [
  { apiVersion: API_VERSION, kind: 'MCPGServer' },
  { apiVersion: API_VERSION, kind: 'MCPGGateway' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
];

/** Ingresses the functions render stand for their MCPG objects, whose own claims are counted instead. */
const rendered = (object: KubeObject) =>
  object.metadata.labels?.['app.kubernetes.io/managed-by'] === 'mcpg-functions';

/** Every other object in the cluster asking an Ingress controller for hosts (list items may lack their kind). */
async function otherClaims(object: KubeObject, client: ObjectClient): Promise<HostClaim[]> {
  const lists = await Promise.all(
    CLAIMANT_KINDS.map(async (type) =>
      (await client.list(type)).filter((o) => !rendered(o)).map((o) => claimOf({ ...o, kind: type.kind })),
    ),
  );
  const me = claimOf(object);
  return lists
    .flat()
    .filter((c) => !(c.kind === me.kind && c.namespace === me.namespace && c.name === me.name));
}

/** Why the Ingress of `object` may not be rendered now, or undefined when it may. */
export async function ingressRefusal(
  object: KubeObject & { spec?: unknown },
  request: IngressRequest | undefined,
  policy: IngressPolicy,
  client: ObjectClient,
): Promise<IngressRefusal | undefined> {
  if (!request) return undefined;
  const errors = ingressPolicyErrors(policy, request);
  if (errors.length > 0)
    return {
      reason: 'IngressNotAllowed',
      message: `no Ingress is rendered: ${errors.map(describeError).join('; ')}`,
    };
  if (request.hosts.length === 0) return undefined;
  const held = hostsHeldElsewhere(claimOf(object), await otherClaims(object, client));
  if (held.length === 0) return undefined;
  const conflicts = held.map(({ host, holder }) => {
    const path = request.hosts.find((h) => h.host === host)?.path ?? request.path;
    return `${path} ${JSON.stringify(host)} is already served for namespace ${holder.namespace} by ${holder.kind} ${holder.name}, which asked first`;
  });
  return {
    reason: 'HostConflict',
    message: `no Ingress is rendered: ${conflicts.join('; ')}; choose another host, or have it released there first`,
  };
}
