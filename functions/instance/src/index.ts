/** Entry point of the instance function: CloudEvents in on PORT, MCPGInstances reconciled and collected. */
import { z } from 'zod';
import { functionSettings, readSettings, serveFunction } from '@mcpg-functions/shared/runtime';
import { instanceReconciler } from './reconcile.ts';

const settings = readSettings(
  functionSettings.extend({ MCPG_MAX_INSTANCES_PER_TEMPLATE: z.coerce.number().int().min(1).default(100) }),
);
await serveFunction(
  'instance',
  (s) =>
    instanceReconciler({
      bridgeImage: s.MCPG_STDIO_BRIDGE_IMAGE,
      maxPerTemplate: settings.MCPG_MAX_INSTANCES_PER_TEMPLATE,
    }),
  settings,
);
