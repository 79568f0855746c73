/** The revocation list a gateway enforces: its explicit reference, or `cluster-default` when it names none. */
import { API_VERSION, type RevocationListSpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { TerminalError, type ConditionInput, type ReconcileContext } from '@mcpg-functions/shared/runtime';
import { CONDITION, REASON } from '../lifecycle.ts';
import type { GatewayObject } from '../types.ts';

export const DEFAULT_REVOCATION_LIST = 'cluster-default';

export function revocationListName(gateway: GatewayObject): string {
  return gateway.spec.revocationListRef?.name ?? DEFAULT_REVOCATION_LIST;
}

type Revocation = RevocationListSpec['revocations'][number];

function entry(r: Revocation): Record<string, unknown> {
  return {
    ...(r.artifactSha256 ? { artifact_sha256: r.artifactSha256.trim().toLowerCase() } : {}),
    ...(r.ociDigest ? { oci_digest: r.ociDigest } : {}),
    ...(r.signerIdentity
      ? { signer_identity: { subject: r.signerIdentity.subject, issuer: r.signerIdentity.issuer ?? null } }
      : {}),
    ...(r.publicKeySha256 ? { public_key_sha256: r.publicKeySha256.trim().toLowerCase() } : {}),
    reason: r.reason,
    revoked_at: r.revokedAt ?? null,
  };
}

/** The list in the gateway's file format (pretty JSON, hashes in lower case). Pure. */
export function revocationDocument(spec: Partial<RevocationListSpec> | undefined): string {
  const document = {
    version: spec?.version ?? 1,
    issued_at: spec?.issuedAt ?? null,
    revocations: (spec?.revocations ?? []).map(entry),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface RevocationResolution {
  document: string | undefined;
  condition: ConditionInput;
}

/**
 * A missing list the gateway names explicitly stops the pass before anything is applied (fail closed, and no
 * half-rendered Deployment); a missing `cluster-default` only means there is nothing to enforce.
 */
export async function resolveRevocations(
  gateway: GatewayObject,
  context: ReconcileContext,
): Promise<RevocationResolution> {
  const name = revocationListName(gateway);
  const list = await context.client.get<KubeObject & { spec?: RevocationListSpec }>({
    apiVersion: API_VERSION,
    kind: 'MCPGRevocationList',
    name,
  });
  if (list) {
    return {
      document: revocationDocument(list.spec),
      condition: {
        type: CONDITION.revocationList,
        status: 'True',
        reason: REASON.revocationListResolved,
        message: `enforcing MCPGRevocationList "${name}" (${list.spec?.revocations.length ?? 0} entries)`,
      },
    };
  }
  if (gateway.spec.revocationListRef) {
    throw new TerminalError(
      REASON.revocationListNotFound,
      `spec.revocationListRef names MCPGRevocationList "${name}", which does not exist; create it or remove the reference (nothing was rolled out)`,
    );
  }
  return {
    document: undefined,
    condition: {
      type: CONDITION.revocationList,
      status: 'True',
      reason: REASON.noRevocationList,
      message: `no MCPGRevocationList "${DEFAULT_REVOCATION_LIST}" exists; nothing to enforce`,
    },
  };
}
