/**
 * Secrets and ConfigMaps a function follows (it re-renders or re-verifies when they change) are seen at once only
 * when labelled mcpg.dev/watch=true and in a namespace a tenant holds or the operator's; the others wait for the
 * resync. A write that newly names one that will wait gets a warning saying why and what to do. The functions do
 * not label them themselves: that is a write to a Secret, which the author may only be allowed to read.
 */
import { TENANT_LABEL, TENANT_OPT_IN_LABEL } from '@mcpg-functions/shared/api';
import { WATCH_LABEL, WATCHED } from '@mcpg-functions/shared/knative';
import type { ClusterLookups } from '../lookups.ts';
import { NOTHING, type RuleFindings } from './context.ts';

/** A Secret or ConfigMap a field names, which a function follows. */
export interface FollowedSource {
  path: string;
  kind: 'Secret' | 'ConfigMap';
  name: string;
}

/** Whether the watched sources cover the namespace: an administrator opted it in and a tenant holds it. */
function heldByTenant(labels: Record<string, string> | undefined): boolean {
  return labels?.[TENANT_OPT_IN_LABEL] === 'true' && labels[TENANT_LABEL] !== undefined;
}

const sameSource = (a: FollowedSource, b: FollowedSource) => a.kind === b.kind && a.name === b.name;

/** What a write names that a function follows, and where. */
export interface FollowedWrite {
  namespace: string;
  sources: readonly FollowedSource[];
  /** Those the stored object named: not warned about again. */
  before: readonly FollowedSource[];
  /** The operator's namespace: its own source covers it whether or not a tenant holds it. */
  alwaysFollowed?: boolean;
}

/** Warnings for the followed sources a write newly names whose changes would wait for the resync. */
export async function unwatchedSourceWarnings(
  lookups: ClusterLookups,
  { namespace, sources, before, alwaysFollowed = false }: FollowedWrite,
): Promise<RuleFindings> {
  const fresh = sources.filter(
    (s, i) => !before.some((b) => sameSource(s, b)) && sources.findIndex((o) => sameSource(o, s)) === i,
  );
  if (fresh.length === 0) return NOTHING;
  if (!alwaysFollowed && !heldByTenant(await lookups.namespaceLabels(namespace)))
    return {
      errors: [],
      warnings: [
        `no MCPGTenant holds namespace ${namespace}: changes to the Secrets and ConfigMaps named here wait for the resync`,
      ],
    };
  const label = `${WATCH_LABEL}=${WATCHED[WATCH_LABEL]}`;
  const warnings: string[] = [];
  for (const source of fresh) {
    const labels = await lookups.sourceLabels(source.kind, namespace, source.name);
    if (labels && labels[WATCH_LABEL] !== WATCHED[WATCH_LABEL])
      warnings.push(
        `${source.path}: ${source.kind} ${source.name} lacks label ${label}; its changes wait for the resync`,
      );
  }
  return { errors: [], warnings };
}
