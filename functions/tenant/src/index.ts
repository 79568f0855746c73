/** Entry point of the tenant function: CloudEvents in on PORT, MCPGTenants reconciled. */
import { readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { tenantReconciler } from './reconcile.ts';
import { tenantSettings } from './settings.ts';

const settings = readSettings(tenantSettings);
await serveFunction('tenant', () => tenantReconciler(settings.MCPG_WATCHED_SOURCES), settings);
