/** The tenant function's settings: the shared ones and the watched sources it binds in tenants' namespaces. */
import { z } from 'zod';
import { WATCHED_SOURCES_ENV, type SourceAccount } from '@mcpg-functions/shared/knative';
import { functionSettings } from '@mcpg-functions/shared/runtime';

const ACCOUNT = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

/** `namespace/name` of each watched source's ServiceAccount (also its ClusterRole's name), comma-separated. */
export const watchedSources = z
  .string()
  .default('')
  .transform((value, context): SourceAccount[] => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const accounts: SourceAccount[] = [];
    for (const entry of entries) {
      const match = ACCOUNT.exec(entry);
      if (match?.[1] && match[3]) accounts.push({ namespace: match[1], name: match[3] });
      else context.addIssue({ code: 'custom', message: `"${entry}" is not namespace/serviceaccount` });
    }
    return accounts;
  });

export const tenantSettings = functionSettings.extend({ [WATCHED_SOURCES_ENV]: watchedSources });
