/**
 * One connection pool per network policy: policies with the same content share one, so every pass of the
 * function reuses the pool (the function holds one policy, and one more per mirror it reaches).
 */
import type { Agent } from './undici-parts.ts';
import { guardedDispatcher } from './connector.ts';
import type { NetworkPolicy } from './network-policy.ts';

const pools = new Map<string, Promise<Agent>>();

export function dispatcherFor(policy: NetworkPolicy): Promise<Agent> {
  const key = JSON.stringify(policy);
  let pool = pools.get(key);
  if (!pool) {
    pool = guardedDispatcher(policy);
    // Made with a client that may never send a request: a failure to load undici is every request's error, not
    // an unhandled rejection that stops the process.
    pool.catch(() => undefined);
    pools.set(key, pool);
  }
  return pool;
}
