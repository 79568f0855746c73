/** Entry point of the cluster function: CloudEvents in on PORT, MCPGClusters reconciled. */
import { functionSettings, readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { clusterReconciler } from './reconcile.ts';

const settings = readSettings(functionSettings);
await serveFunction('cluster', () => clusterReconciler(), settings);
