import { ObjectClient, type KubeObject } from '@mcpg-functions/shared/kube';
import {
  createFunctionApp,
  createLogger,
  createRegistry,
  ReconcileDriver,
  type KindReconciler,
} from '@mcpg-functions/shared/runtime';
import { afterAll } from 'vitest';
import type { RecordedEvent } from '../../fixtures/events.ts';
import { clients } from './cluster.ts';

/**
 * A function's HTTP app in this process, against the run's real API server, for replaying recorded CloudEvents
 * without the adapter. Closed after the file's tests.
 */
export function replayTarget<O extends KubeObject>(reconciler: KindReconciler<O>, fieldManager: string) {
  const client = new ObjectClient(clients().config, fieldManager);
  const logger = createLogger('replay', 'silent');
  const app = createFunctionApp({
    driver: new ReconcileDriver(reconciler, { client, log: logger }),
    logger,
    registry: createRegistry('replay'),
  });
  afterAll(() => app.close());

  /** Posts the events in order, as the adapter would; resolves with each answer's status code. */
  async function replay(events: readonly RecordedEvent[]): Promise<number[]> {
    const statuses: number[] = [];
    for (const event of events) {
      const response = await app.inject({
        method: 'POST',
        url: '/',
        headers: event.headers,
        payload: event.body,
      });
      statuses.push(response.statusCode);
    }
    return statuses;
  }
  return { client, replay };
}
