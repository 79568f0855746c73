/**
 * MCPGServer image trust, as the two functions involved agree on it: the supply-chain function checks spec.image
 * against spec.verify and records the outcome in its part of the status (the fields and condition below); the
 * server function rolls the image out only when that record is for this very image and policy and says verified.
 * Anything else (not checked yet, checked for another image or policy, failed, revoked) blocks the rollout, and
 * the Deployment already running stays as it is (fail-static).
 */
import type { ServerSpec } from '../api/index.ts';
import { contentHash } from '../runtime/ownership.ts';
import { IMAGE_CONFIG_FIELD } from './image-process.ts';

/** The supply chain's part of an MCPGServer's status: its image check, and the image's own entrypoint (image-process.ts). */
export const IMAGE_TRUST_FACET = {
  fields: ['imageVerification', 'imageDigest', IMAGE_CONFIG_FIELD],
  condition: 'ImageVerified',
};

export interface ImageVerification {
  image: string;
  policy: string;
  verified: boolean;
  reason: string;
  message?: string;
}

export type ImageTrust =
  | { state: 'unrestricted' }
  | { state: 'verified'; digest: string }
  | { state: 'blocked'; reason: string; message: string };

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Identifies a verify policy; a changed policy invalidates an earlier verification. */
export function imagePolicy(verify: NonNullable<ServerSpec['verify']>): string {
  return contentHash(verify).slice(0, 16);
}

function recordOf(status: unknown): ImageVerification | undefined {
  const record = (status as { imageVerification?: unknown } | undefined)?.imageVerification;
  if (typeof record !== 'object' || record === null) return undefined;
  const { image, policy, verified, reason } = record as Record<string, unknown>;
  const valid =
    typeof image === 'string' &&
    typeof policy === 'string' &&
    typeof verified === 'boolean' &&
    typeof reason === 'string';
  return valid ? (record as ImageVerification) : undefined;
}

/** May spec.image be rolled out, going by the supply-chain function's record in `status`? */
export function imageTrust(spec: Pick<ServerSpec, 'image' | 'verify'>, status: unknown): ImageTrust {
  if (!spec.verify) return { state: 'unrestricted' };
  const record = recordOf(status);
  if (!record || record.image !== spec.image || record.policy !== imagePolicy(spec.verify))
    return {
      state: 'blocked',
      reason: 'VerificationPending',
      message: `the supply-chain function has not checked ${spec.image} against spec.verify yet`,
    };
  if (!record.verified)
    return {
      state: 'blocked',
      reason: record.reason,
      message: record.message ?? `${spec.image} did not pass spec.verify (${record.reason})`,
    };
  const digest = (status as { imageDigest?: unknown }).imageDigest;
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    return {
      state: 'blocked',
      reason: 'VerificationPending',
      message: `the supply-chain function has not recorded the verified digest of ${spec.image} yet`,
    };
  return { state: 'verified', digest };
}

/** The image reference pinned to `digest`, whatever tag or digest it named (what was verified is what runs). */
export function pinnedTo(image: string, digest: string): string {
  const at = image.indexOf('@');
  return `${at === -1 ? image : image.slice(0, at)}@${digest}`;
}
