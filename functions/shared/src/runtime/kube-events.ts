/** Kubernetes Events (events.k8s.io/v1) a pass records about an object: one per condition that changed status. */
import { randomBytes } from 'node:crypto';
import type { Condition } from '../api/index.ts';
import type { KubeObject, ObjectClient } from '../kube/index.ts';
import type { Logger } from './logger.ts';

/** `<object>.<suffix>`, within the 253 characters of a name: a long object name is cut, never the suffix. */
export function eventName(objectName: string, suffix: string): string {
  const room = 253 - suffix.length - 1;
  return `${objectName.slice(0, room).replace(/[-.]+$/, '')}.${suffix}`;
}

export function eventFor(object: KubeObject, condition: Condition, now: Date): KubeObject {
  const warning = condition.status === 'False' && condition.type === 'Ready';
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: eventName(object.metadata.name, `${now.getTime().toString(36)}${randomBytes(3).toString('hex')}`),
      namespace: object.metadata.namespace ?? 'default',
    },
    eventTime: now.toISOString().replace('Z', '000Z'),
    reportingController: 'mcpg.dev/mcpg-functions',
    reportingInstance: 'mcpg-functions',
    action: 'Reconcile',
    reason: condition.reason,
    note: `${condition.type} is ${condition.status}${condition.message ? `: ${condition.message}` : ''}`.slice(
      0,
      1024,
    ),
    type: warning ? 'Warning' : 'Normal',
    regarding: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
    },
  };
}

/** Events are best effort: a failure to record one is logged and never fails the pass. */
export async function recordEvent(
  client: ObjectClient,
  log: Logger,
  event: { object: KubeObject; condition: Condition; now: Date },
): Promise<void> {
  await client.create(eventFor(event.object, event.condition, event.now)).catch((error: unknown) => {
    log.warn({ err: error }, 'could not record an Event');
  });
}
