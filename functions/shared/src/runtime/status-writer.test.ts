import { describe, expect, it } from 'vitest';
import { keyOf, type KubeObject, type ObjectClient } from '../kube/index.ts';
import { createLogger } from './logger.ts';
import { announcement, StatusWriter } from './status-writer.ts';
import { SeenVersions } from './seen-versions.ts';

/** The API server's side of a status write: resourceVersion checks, as the status subresource does them. */
function apiServer(stored: KubeObject) {
  let live = structuredClone(stored);
  const writes: KubeObject[] = [];
  const client = {
    get: () => Promise.resolve(structuredClone(live)),
    create: () => Promise.resolve({}),
    replaceStatus: (object: KubeObject) => {
      if (object.metadata.resourceVersion !== live.metadata.resourceVersion)
        return Promise.reject(Object.assign(new Error('conflict'), { code: 409 }));
      writes.push(object);
      const version = String(Number(live.metadata.resourceVersion) + 1);
      live = { ...live, status: object.status, metadata: { ...live.metadata, resourceVersion: version } };
      return Promise.resolve(structuredClone(live));
    },
  };
  return {
    client: client as unknown as ObjectClient,
    writes,
    live: () => Promise.resolve(structuredClone(live)),
    /** Someone else changes the object: a new spec bumps the generation. */
    change(spec: Record<string, unknown>, bumpGeneration: boolean) {
      const generation = (live.metadata.generation ?? 1) + (bumpGeneration ? 1 : 0);
      const resourceVersion = String(Number(live.metadata.resourceVersion) + 1);
      live = { ...live, spec, metadata: { ...live.metadata, generation, resourceVersion } };
    },
  };
}

const server: KubeObject = {
  apiVersion: 'mcpg.dev/v1alpha2',
  kind: 'MCPGServer',
  metadata: { name: 'tools', namespace: 'team-a', generation: 1, resourceVersion: '10' },
  spec: { image: 'one' },
};
const ready = {
  status: { phase: 'Running' },
  conditions: [{ type: 'Ready', status: 'True' as const, reason: 'Running' }],
};
const now = new Date('2026-12-01T10:00:00Z');

function writerFor(client: ObjectClient) {
  return new StatusWriter({
    client,
    log: createLogger('test', 'silent'),
    foreign: [],
    facet: undefined,
    seen: new SeenVersions(),
  });
}

describe('the status write of a pass', () => {
  it('stamps the generation the pass read and writes once', async () => {
    const api = apiServer(server);
    expect(await writerFor(api.client).write(server, ready, now)).toBe('written');
    expect(api.writes).toHaveLength(1);
    expect(api.writes[0]?.status).toMatchObject({ observedGeneration: 1, phase: 'Running' });
  });

  it('retries a conflict that left the spec alone (a label changed), still stamping what it read', async () => {
    const api = apiServer(server);
    api.change({ image: 'one' }, false);
    expect(await writerFor(api.client).write(server, ready, now)).toBe('written');
    expect(api.writes).toHaveLength(1);
    expect(api.writes[0]?.status).toMatchObject({ observedGeneration: 1 });
  });

  it('lets the next event through after a conflict: another writer (a status facet) may have made it stale', async () => {
    const api = apiServer(server);
    const seen = new SeenVersions();
    const writer = new StatusWriter({
      client: api.client,
      log: createLogger('test', 'silent'),
      foreign: [],
      facet: undefined,
      seen,
    });
    expect(await writer.write(server, ready, now)).toBe('written');
    expect(seen.hasSeen(keyOf(server), (await api.live()).metadata.resourceVersion)).toBe(true);
    api.change({ image: 'one' }, false);
    const stale = { ...server, metadata: { ...server.metadata, resourceVersion: '11' } };
    expect(await writer.write(stale, { ...ready, status: { phase: 'Degraded' } }, now)).toBe('written');
    expect(seen.hasSeen(keyOf(server), (await api.live()).metadata.resourceVersion)).toBe(false);
  });

  it('does not write a status computed from a spec that changed meanwhile', async () => {
    const api = apiServer(server);
    api.change({ image: 'two' }, true);
    expect(await writerFor(api.client).write(server, ready, now)).toBe('superseded');
    expect(api.writes).toEqual([]);
  });

  it('writes nothing when the status is what it would write', async () => {
    const api = apiServer(server);
    const writer = writerFor(api.client);
    await writer.write(server, ready, now);
    const written = {
      ...server,
      status: api.writes[0]?.status,
      metadata: { ...server.metadata, resourceVersion: '11' },
    };
    expect(await writer.write(written, ready, new Date('2026-12-01T10:05:00Z'))).toBe('unchanged');
    expect(api.writes).toHaveLength(1);
  });
});

describe('the Events a status write records', () => {
  const at = '2026-12-01T10:00:00Z';
  const ready = (status: 'True' | 'False', reason: string, message = '') => ({
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: at,
  });
  const available = (status: 'True' | 'False') => ({ ...ready(status, 'Replicas'), type: 'Available' });
  const rule = { summary: 'Ready', failure: false };

  it.each([
    { case: 'Ready appears', before: [], after: [ready('False', 'Pending')], event: 'Pending' },
    {
      case: 'Ready changes status',
      before: [ready('False', 'Starting')],
      after: [ready('True', 'Running')],
      event: 'Running',
    },
    {
      case: 'only its reason moves while progressing',
      before: [ready('False', 'Pending')],
      after: [ready('False', 'Starting')],
      event: undefined,
    },
    {
      case: 'another condition changes',
      before: [ready('False', 'Starting'), available('False')],
      after: [ready('False', 'Starting'), available('True')],
      event: undefined,
    },
  ])('one for the summary condition when $case: $event', ({ before, after, event }) => {
    expect(announcement(before, after, rule)?.reason).toBe(event);
  });

  it('one for every new failure, even while Ready stays False', () => {
    const before = [ready('False', 'Starting')];
    const failed = [ready('False', 'ReconcileFailed', 'the API server timed out')];
    expect(announcement(before, failed, { ...rule, failure: true })?.reason).toBe('ReconcileFailed');
    expect(announcement(failed, failed, { ...rule, failure: true })).toBeUndefined();
  });
});
