/** Entry point of the tenant function: CloudEvents in on PORT, MCPGTenants reconciled. */
import { functionSettings, readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { tenantReconciler } from './reconcile.ts';

const settings = readSettings(functionSettings);
await serveFunction('tenant', () => tenantReconciler(), settings);
