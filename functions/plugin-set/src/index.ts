/** Entry point of the plugin-set function: CloudEvents in on PORT, MCPGPluginSets resolved. */
import { functionSettings, readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { pluginSetReconciler } from './reconcile.ts';

const settings = readSettings(functionSettings);
await serveFunction('plugin-set', () => pluginSetReconciler(), settings);
