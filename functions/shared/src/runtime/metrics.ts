import { collectDefaultMetrics, Registry } from './prom-client-parts.ts';

/** A registry per process with the Node.js default metrics, prefixed like every mcpg metric. */
export function createRegistry(functionName: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ function: functionName });
  collectDefaultMetrics({ register: registry, prefix: 'mcpg_' });
  return registry;
}
