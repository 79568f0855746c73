/**
 * One pass's budget: a deadline every registry request and every API read of the pass ends with, so a registry
 * that drips bytes, or a pass that has too much to do, cannot hold the function longer than the operator allows.
 * A registry request cut short fails the check like an unreachable registry (status says so); an API read cut
 * short fails the pass, which is retried. Either way the next resync tries again.
 */
import type { ObjectClient } from '@mcpg-functions/shared/kube';
import type { ReconcileContext } from '@mcpg-functions/shared/runtime';
import type { SupplyChainSettings } from './settings.ts';

export interface Pass {
  client: ObjectClient;
  signal: AbortSignal;
}

export class PassDeadlineExceeded extends Error {
  constructor(seconds: number) {
    super(`the pass did not finish within ${seconds} s (MCPG_PASS_TIMEOUT_SECONDS)`);
    this.name = 'PassDeadlineExceeded';
  }
}

function untilAborted(signal: AbortSignal, seconds: number): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => {
      reject(new PassDeadlineExceeded(seconds));
    };
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** The client with every call racing the deadline: a call still waiting when it passes fails the pass. */
function withDeadline(client: ObjectClient, signal: AbortSignal, seconds: number): ObjectClient {
  const aborted = untilAborted(signal, seconds);
  aborted.catch(() => undefined);
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (signal.aborted) return aborted;
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? Promise.race([result, aborted]) : result;
      };
    },
  });
}

export function startPass(
  context: ReconcileContext,
  settings: Pick<SupplyChainSettings, 'passSeconds'>,
): Pass {
  const signal = AbortSignal.timeout(settings.passSeconds * 1000);
  return { client: withDeadline(context.client, signal, settings.passSeconds), signal };
}
