/** Entry point: the validating webhook over HTTPS, with list-then-watch caches for its cross-object rules. */
import type { Server } from 'node:https';
import { connect } from '@mcpg-functions/shared/kube';
import { createLogger, createRegistry } from '@mcpg-functions/shared/runtime';
import { buildAdmissionApp } from './app.ts';
import { ApiServerLookups } from './cluster-lookups.ts';
import { policyOf, readConfig } from './config.ts';
import { createAdmissionMetrics } from './metrics.ts';
import { readCertificate, watchCertificate } from './tls.ts';

const config = readConfig();
const logger = createLogger('admission', config.LOG_LEVEL);
const registry = createRegistry('admission');
const certificate = { cert: config.MCPG_TLS_CERT_FILE, key: config.MCPG_TLS_KEY_FILE };
const lookups = new ApiServerLookups(await connect(config.KUBECONFIG), logger);

const app = buildAdmissionApp({
  logger,
  registry,
  tls: readCertificate(certificate),
  bodyLimit: config.MCPG_BODY_LIMIT_BYTES,
  isReady: () => lookups.ready,
  metrics: createAdmissionMetrics(registry),
  decision: {
    lookups,
    lookupFailurePolicy: config.MCPG_LOOKUP_FAILURE_POLICY,
    privilegedGroups: config.MCPG_PRIVILEGED_GROUPS,
    policy: policyOf(config),
  },
});

const stopWatching = watchCertificate(app.server as Server, certificate, { log: logger });

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  stopWatching();
  await app.close();
  await lookups.stop();
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

await lookups.start();
await app.listen({ host: config.MCPG_ADMISSION_HOST, port: config.MCPG_ADMISSION_PORT });
