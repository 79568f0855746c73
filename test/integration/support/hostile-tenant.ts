/**
 * A bed for the tenant half of the security suite: the webhook running as its own ServiceAccount with exactly
 * its generated RBAC, registered with the real API server for one lane of objects, a tenant fenced by the real
 * Role the tenant function renders, and requests sent as a tenant user through the API server's impersonation.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ADMISSION_RULES } from '@mcpg-functions/admission/rbac';
import { buildWebhookConfiguration } from '@mcpg-functions/admission/webhook-configuration';
import { apiStatus, kubeRequest } from '@mcpg-functions/shared/kube';
import { desiredChildren } from '@mcpg-functions/tenant/reconcile';
import { inject, vi } from 'vitest';
import { startAdmission, type RunningAdmission } from './admission.ts';
import type { Clients } from './cluster.ts';
import { serviceAccountsFor } from './service-accounts.ts';

type TenantObject = Parameters<typeof desiredChildren>[0];
type RawRequest = Parameters<typeof kubeRequest>[1];

const WEBHOOKS = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

export interface Identity {
  username: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface GuardedLane {
  /** Objects carrying these labels go through this webhook (other test files have their own lanes). */
  labels: Record<string, string>;
  admission: RunningAdmission;
  stop: () => Promise<void>;
}

/**
 * Starts the admission function as the ServiceAccount its chart binds (ClusterRole from ADMISSION_RULES), so a
 * lookup or SubjectAccessReview the rules do not declare fails here as it would in a cluster.
 */
export async function guardLane(
  kube: Clients,
  options: { namespace: string; run: string; env?: Record<string, string> },
): Promise<GuardedLane> {
  const workDir = path.join(inject('clusterRunDir'), `hostile-${options.run}`);
  await mkdir(workDir, { recursive: true });
  const identity = {
    name: 'admission',
    description: 'the validating webhook',
    watches: [],
    permissions: ADMISSION_RULES,
    resyncSchedule: '0 0 1 1 *',
  };
  const accounts = await serviceAccountsFor(kube, identity, options.namespace, workDir);
  const admission = await startAdmission({ kubeconfig: accounts.function, workDir, env: options.env });
  const labels = { 'mcpg.dev/security-test': options.run };
  const name = `mcpg-security-${options.run}`;
  const configuration = buildWebhookConfiguration({
    name,
    target: { url: admission.baseUrl, caBundle: admission.caBundle },
    objectSelector: { matchLabels: labels },
  });
  await kubeRequest(kube.config, { method: 'POST', path: WEBHOOKS, body: configuration });
  return {
    labels,
    admission,
    stop: async () => {
      await kubeRequest(kube.config, { method: 'DELETE', path: `${WEBHOOKS}/${name}` }).catch(
        () => undefined,
      );
      await admission.stop();
      await accounts.remove();
    },
  };
}

/** Waits until the API server calls the webhook for the lane: a dry run only the webhook refuses is refused. */
export async function untilGuarded(attempt: () => Promise<string | undefined>): Promise<void> {
  await vi.waitFor(
    async () => {
      if ((await attempt()) === undefined) throw new Error('the webhook is not called yet');
    },
    { timeout: 20_000, interval: 250 },
  );
}

/** The API server's impersonation headers: the request is authenticated, authorised and admitted as `who`. */
export function impersonating(who: Identity): Record<string, string | string[]> {
  return {
    'Impersonate-User': who.username,
    'Impersonate-Group': who.groups,
    ...(who.uid ? { 'Impersonate-Uid': who.uid } : {}),
    ...Object.fromEntries(
      Object.entries(who.extra ?? {}).map(([key, values]) => [`Impersonate-Extra-${key}`, values]),
    ),
  };
}

/** Sends a request as `who`; resolves with undefined when it succeeded, or the API server's refusal message. */
export async function refusalAs(
  kube: Clients,
  who: Identity,
  request: RawRequest,
): Promise<string | undefined> {
  try {
    await kubeRequest(kube.config, { ...request, headers: impersonating(who) });
    return undefined;
  } catch (error) {
    if (apiStatus(error) === undefined) throw error;
    return (JSON.parse((error as { body: string }).body) as { message: string }).message;
  }
}

/** The tenant's Role and RoleBinding in its namespaces, exactly as the tenant function renders them. */
export async function fenceTenant(kube: Clients, tenant: TenantObject, namespaces: string[]): Promise<void> {
  for (const child of desiredChildren(tenant, namespaces)) {
    if (child.kind === 'ResourceQuota') continue;
    const plural = child.kind === 'Role' ? 'roles' : 'rolebindings';
    await kubeRequest(kube.config, {
      method: 'POST',
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${child.metadata.namespace}/${plural}`,
      body: child,
    });
  }
}
