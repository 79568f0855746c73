/** Entry point of the route function: CloudEvents in on PORT, MCPGRoutes bound and reported. */
import { functionSettings, readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { routeReconciler } from './reconcile.ts';

const settings = readSettings(functionSettings);
await serveFunction('route', () => routeReconciler(), settings);
