/** Entry point of the server function: CloudEvents in on PORT, MCPGServers reconciled. */
import { loadKubeConfig, ObjectClient } from '@mcpg-functions/shared/kube';
import {
  createFunctionApp,
  createLogger,
  createRegistry,
  ReconcileDriver,
} from '@mcpg-functions/shared/runtime';
import { readConfig } from './config.ts';
import { serverReconciler } from './reconcile.ts';

const config = readConfig();
const logger = createLogger('server', config.LOG_LEVEL);
const client = new ObjectClient(loadKubeConfig(config.KUBECONFIG), 'mcpg-functions/server');
const driver = new ReconcileDriver(serverReconciler({ bridgeImage: config.MCPG_STDIO_BRIDGE_IMAGE }), {
  client,
  log: logger,
});
const app = createFunctionApp({
  driver,
  logger,
  registry: createRegistry('server'),
  concurrency: config.MCPG_RESYNC_CONCURRENCY,
});

process.once('SIGTERM', () => void app.close());
await app.listen({ host: config.HOST, port: config.PORT });
