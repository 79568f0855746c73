/** Entry point of the server function: CloudEvents in on PORT, MCPGServers reconciled. */
import { functionSettings, readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { ingressPolicyOf, ingressPolicySettings } from '@mcpg-functions/shared/workloads';
import { serverReconciler } from './reconcile.ts';

const settings = readSettings(functionSettings.extend(ingressPolicySettings.shape));
await serveFunction(
  'server',
  (s) =>
    serverReconciler({ bridgeImage: s.MCPG_STDIO_BRIDGE_IMAGE, ingressPolicy: ingressPolicyOf(settings) }),
  settings,
);
