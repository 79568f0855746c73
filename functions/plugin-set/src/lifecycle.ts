/** The plugin set's condition vocabulary: types, stable reasons and the messages that say what to fix. */
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import type { FailedEntry } from './types.ts';

export const CONDITION = { ready: 'Ready', entriesResolved: 'EntriesResolved' } as const;

/** Why an entry did not resolve; stable, documented in docs/functions.md. */
export const FAILURE = {
  pluginNotFound: 'PluginNotFound',
  pluginIdMismatch: 'PluginIdMismatch',
  pluginRevoked: 'PluginRevoked',
  pluginNotVerified: 'PluginNotVerified',
  pluginNotReady: 'PluginNotReady',
  artifactMissing: 'ArtifactMissing',
} as const;

export const REASON = { resolved: 'Resolved', entriesFailed: 'EntriesFailed' } as const;

function summary(failed: readonly FailedEntry[]): string {
  const shown = failed.slice(0, 5).map((f) => `${f.id} (${f.reason})`);
  const more = failed.length > shown.length ? ` and ${failed.length - shown.length} more` : '';
  return `${shown.join(', ')}${more}; see status.failedEntries`;
}

/** Ready only when every enabled entry resolved: gateways keep their last good list until then. */
export function setConditions(counts: {
  resolved: number;
  enabled: number;
  total: number;
  failed: readonly FailedEntry[];
}): ConditionInput[] {
  const tally = `${counts.resolved}/${counts.enabled} enabled entries resolved (${counts.total} in total)`;
  if (counts.failed.length === 0) {
    return [
      { type: CONDITION.entriesResolved, status: 'True', reason: REASON.resolved, message: tally },
      { type: CONDITION.ready, status: 'True', reason: REASON.resolved, message: tally },
    ];
  }
  const message = `${tally}; unresolved: ${summary(counts.failed)}`;
  return [
    { type: CONDITION.entriesResolved, status: 'False', reason: REASON.entriesFailed, message },
    { type: CONDITION.ready, status: 'False', reason: REASON.entriesFailed, message },
  ];
}
