import { ObjectClient, type KubeObject } from '@mcpg-functions/shared/kube';
import {
  createFunctionApp,
  createLogger,
  createRegistry,
  ReconcileDriver,
  type KindReconciler,
} from '@mcpg-functions/shared/runtime';
import { afterAll, expect, vi } from 'vitest';
import type { RecordedEvent } from '../../fixtures/events.ts';
import { clients } from './cluster.ts';

/**
 * A function's HTTP app in this process, against the run's real API server, for replaying recorded CloudEvents
 * without the adapter. Closed after the file's tests. Each event is answered only once its passes are done (the
 * longest hold there is), so what a test reads after a replay, writes included, is what the stream did.
 */
export function replayTarget<O extends KubeObject>(reconciler: KindReconciler<O>, fieldManager: string) {
  const client = new ObjectClient(clients().config, fieldManager);
  const logger = createLogger('replay', 'silent');
  const app = createFunctionApp({
    driver: new ReconcileDriver(reconciler, { client, log: logger }),
    logger,
    registry: createRegistry('replay'),
    eventHoldMs: 110_000,
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
        body: event.body,
      });
      statuses.push(response.status);
    }
    return statuses;
  }
  return { client, replay };
}

/** Whether the event says an object of `kind` was deleted. */
export function isDeleteOf(event: RecordedEvent, kind: string): boolean {
  return event.headers['ce-type']?.endsWith('.delete') === true && event.headers['ce-kind'] === kind;
}

/** The events without the deletion of any `kind` object: the stream as it was while the objects lived. */
export function whileAlive(events: readonly RecordedEvent[], kind: string): RecordedEvent[] {
  return events.filter((e) => !isDeleteOf(e, kind));
}

/**
 * Replays the events twice each, then in reverse order: every answer must be 204 and no function may write
 * (a level-based function that reached the end state has nothing left to do).
 */
export async function expectNoWritesOnRedelivery(
  targets: readonly ReturnType<typeof replayTarget>[],
  events: readonly RecordedEvent[],
): Promise<void> {
  const writes = () => targets.reduce((sum, t) => sum + t.client.counts.writes, 0);
  const before = writes();
  for (const stream of [events.flatMap((e) => [e, e]), [...events].reverse()]) {
    for (const target of targets) expect((await target.replay(stream)).every((s) => s === 204)).toBe(true);
  }
  expect(writes()).toBe(before);
}

/**
 * Replays the events until `phase` reads `expected`: KWOK turns pods ready after the first pass, and a
 * redelivery (as the sources retry and resend) catches the status up.
 */
export async function redeliverUntil(
  replay: (events: readonly RecordedEvent[]) => Promise<number[]>,
  events: readonly RecordedEvent[],
  phase: () => Promise<string | undefined>,
  expected: string,
): Promise<void> {
  await vi.waitFor(
    async () => {
      await replay(events);
      expect(await phase()).toBe(expected);
    },
    { timeout: 30_000, interval: 500 },
  );
}
