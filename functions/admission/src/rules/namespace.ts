import type { AdmissionRequest, Verdict } from '../admission-review.ts';

/** With the value "true" (no other), marks a namespace whose gateways, plugin sets and routes skip field checks
 * (break-glass; the rules about other objects and the user's rights stay). */
export const SKIP_VALIDATION_LABEL = 'mcpg.dev/skip-validation';

function labelOf(object: unknown): string | undefined {
  return (object as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels?.[
    SKIP_VALIDATION_LABEL
  ];
}

/** Only privileged groups may add, change or remove the skip-validation label; tenants cannot exempt themselves. */
export function guardSkipValidationLabel(
  request: AdmissionRequest,
  privilegedGroups: readonly string[],
): Verdict {
  const before = labelOf(request.oldObject);
  const after = labelOf(request.object);
  if (before === after) return { allowed: true, warnings: [] };
  const groups = request.userInfo?.groups ?? [];
  if (groups.some((g) => privilegedGroups.includes(g))) {
    return {
      allowed: true,
      warnings: [
        `namespace label ${SKIP_VALIDATION_LABEL} changed: field checks are ${after === 'true' ? 'off' : 'on'} here`,
      ],
    };
  }
  return {
    allowed: false,
    code: 403,
    message: `metadata.labels["${SKIP_VALIDATION_LABEL}"] may be set or removed only by members of ${privilegedGroups.join(', ')}; ask a cluster administrator`,
    warnings: [],
  };
}
