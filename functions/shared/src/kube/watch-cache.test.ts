import { describe, expect, it } from 'vitest';
import type { KubeObject } from './objects.ts';
import { applyWatchEvent, LineSplitter, nextStep, retryDelayMs, type WatchEvent } from './watch-cache.ts';

function namespace(name: string, resourceVersion: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion, labels } };
}

const labelsOf = (object: KubeObject) => object.metadata.labels ?? {};

describe('applying watch events', () => {
  it('stores what ADDED and MODIFIED carry, keeping only the projection, and moves the resourceVersion on', () => {
    const objects = new Map<string, Record<string, string>>();
    expect(
      applyWatchEvent(objects, { type: 'ADDED', object: namespace('a', '5', { x: '1' }) }, labelsOf),
    ).toEqual({
      kind: 'changed',
      resourceVersion: '5',
    });
    applyWatchEvent(objects, { type: 'MODIFIED', object: namespace('a', '6', { x: '2' }) }, labelsOf);
    expect([...objects]).toEqual([['/a', { x: '2' }]]);
  });

  it('tells objects of the same name in different namespaces apart', () => {
    const objects = new Map<string, string>();
    const server = (ns: string): KubeObject => ({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'web', namespace: ns, resourceVersion: '1' },
    });
    applyWatchEvent(objects, { type: 'ADDED', object: server('team-a') }, (o) => o.metadata.namespace ?? '');
    applyWatchEvent(objects, { type: 'ADDED', object: server('team-b') }, (o) => o.metadata.namespace ?? '');
    applyWatchEvent(
      objects,
      { type: 'DELETED', object: server('team-a') },
      (o) => o.metadata.namespace ?? '',
    );
    expect([...objects.keys()]).toEqual(['team-b/web']);
  });

  it('removes what DELETED names, and a BOOKMARK changes nothing but the resourceVersion', () => {
    const objects = new Map([['/a', {}]]);
    expect(applyWatchEvent(objects, { type: 'BOOKMARK', object: namespace('', '9') }, labelsOf)).toEqual({
      kind: 'bookmark',
      resourceVersion: '9',
    });
    expect(objects.size).toBe(1);
    applyWatchEvent(objects, { type: 'DELETED', object: namespace('a', '10') }, labelsOf);
    expect(objects.size).toBe(0);
  });

  it('ends the watch on an ERROR event: 410 Gone as expired, anything else as a failure naming the message', () => {
    const gone = { type: 'ERROR', object: { code: 410, message: 'too old resource version' } } as WatchEvent;
    expect(applyWatchEvent(new Map(), gone, labelsOf)).toEqual({ kind: 'ended', end: { kind: 'expired' } });
    const other = { type: 'ERROR', object: { code: 500, message: 'etcd is down' } } as WatchEvent;
    const applied = applyWatchEvent(new Map(), other, labelsOf);
    expect(applied.kind === 'ended' && applied.end.kind === 'failed' && String(applied.end.error)).toMatch(
      /etcd is down/,
    );
  });

  it('ends the watch on an event type it does not know rather than ignoring it', () => {
    const odd: WatchEvent = { type: 'RENAMED', object: namespace('a', '1') };
    expect(applyWatchEvent(new Map(), odd, labelsOf)).toMatchObject({
      kind: 'ended',
      end: { kind: 'failed' },
    });
  });
});

describe('what follows the end of a watch', () => {
  it('a watch the server closed in due course resumes at once, still in sync', () => {
    expect(nextStep({ kind: 'closed' }, 300_000, 0)).toEqual({
      action: 'watch',
      delayMs: 0,
      outOfSync: false,
    });
  });

  it('a watch closed right after it opened is a failure: out of sync, re-listed after a delay (no hot loop)', () => {
    expect(nextStep({ kind: 'closed' }, 5, 0)).toEqual({ action: 'list', delayMs: 1_000, outOfSync: true });
  });

  it('410 Gone, an error, a cut or stalled stream: out of sync until a re-list after a delay', () => {
    for (const end of [{ kind: 'expired' }, { kind: 'failed', error: new Error('cut') }] as const) {
      const step = nextStep(end, 60_000, 0);
      expect(step).toMatchObject({ action: 'list', outOfSync: true });
      expect(step.delayMs).toBeGreaterThan(0);
    }
  });

  it('stop ends the loop', () => {
    expect(nextStep({ kind: 'stopped' }, 10, 3).action).toBe('stop');
  });

  it('waits longer after each failure in a row, up to a cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 10].map(retryDelayMs);
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000]);
  });
});

describe('splitting the watch stream into events', () => {
  it('yields complete lines only, whatever the chunk boundaries', () => {
    const lines = new LineSplitter();
    expect(lines.push('{"type":"ADD')).toEqual([]);
    expect(lines.push('ED"}\n{"type":"BOOK')).toEqual(['{"type":"ADDED"}']);
    expect(lines.push('MARK"}\n\n')).toEqual(['{"type":"BOOKMARK"}']);
  });
});
