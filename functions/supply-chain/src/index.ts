/**
 * Entry point of the supply-chain function: MCPGPlugin, MCPGRevocationList and MCPGPluginMirror in one process,
 * and the image check of MCPGServers with a verify policy.
 */
import { createRegistry, readSettings, serveFunctions } from '@mcpg-functions/shared/runtime';
import { mirrorReconciler } from './mirror/reconcile.ts';
import { pluginReconciler } from './plugin/reconcile.ts';
import { serverImageReconciler } from './image/reconcile.ts';
import { revocationListReconciler } from './revocation/reconcile.ts';
import { createSupplyChainMetrics } from './metrics.ts';
import { fromEnvironment, supplyChainSettings } from './settings.ts';

const environment = readSettings(supplyChainSettings);
const settings = fromEnvironment(environment);
const registry = createRegistry('supply-chain');
const metrics = createSupplyChainMetrics(registry);
// Plugins first: a list or mirror event re-verifies plugins before the list reports what it blocks.
await serveFunctions(
  'supply-chain',
  [
    pluginReconciler(settings, metrics),
    revocationListReconciler(),
    mirrorReconciler(settings),
    serverImageReconciler(settings, metrics),
  ],
  environment,
  registry,
);
