/** Entry point of the gateway function: CloudEvents in on PORT, MCPGGateways reconciled. */
import { readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { gatewayReconciler } from './reconcile.ts';
import { gatewaySettings, renderSettings } from './settings.ts';

const settings = readSettings(gatewaySettings);
await serveFunction('gateway', () => gatewayReconciler(renderSettings(settings)), settings);
