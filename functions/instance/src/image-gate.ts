/**
 * The image-trust gate of per-subject pods: an instance made from an MCPGServer with a verify policy runs only
 * the image the supply-chain function verified for that server, pinned to the verified digest. Anything else
 * (not checked yet, failed, revoked) runs no pod: a per-subject pod is started afresh for each subject, so
 * unlike a server's Deployment there is nothing to keep running (fail-closed, not fail-static).
 */
import type { ServerSpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { Desired } from '@mcpg-functions/shared/runtime';
import { imageTrust, pinnedTo, type PodSource } from '@mcpg-functions/shared/workloads';

export type GatedSource = { source: PodSource } | { blocked: { reason: string; message: string } };

/** The template's pod source, with its image pinned to the verified digest, or why no pod may run. */
export function gatedSource(template: KubeObject & { spec: ServerSpec }): GatedSource {
  const { spec } = template;
  const trust = imageTrust(spec, template.status);
  if (trust.state === 'unrestricted') return { source: spec };
  if (trust.state === 'verified') return { source: { ...spec, image: pinnedTo(spec.image, trust.digest) } };
  return { blocked: { reason: trust.reason, message: trust.message } };
}

export function imageBlocked(template: string, blocked: { reason: string; message: string }): Desired {
  return {
    children: [],
    status: { phase: 'Pending' },
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ImageNotVerified',
        message: `MCPGServer ${template}: ${blocked.message} (${blocked.reason}); no pod runs until its image passes spec.verify`,
      },
    ],
  };
}
