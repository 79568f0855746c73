import { describe, expect, it } from 'vitest';
import { KnownObjects, type LiveReads } from './known-objects.ts';
import type { KubeObject, ObjectKey } from './objects.ts';

const PARENT = 'mcpg.dev/mcpgserver';
const managed = { 'app.kubernetes.io/managed-by': 'mcpg-functions' };

function pod(name: string, parent: string, resourceVersion = '1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team-a', resourceVersion, labels: { ...managed, [PARENT]: parent } },
  };
}

const keyOf = (o: KubeObject): ObjectKey => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata.namespace,
  name: o.metadata.name,
});
const pods = { apiVersion: 'v1', kind: 'Pod', namespace: 'team-a' };
const childrenOf = (parent: string) => `app.kubernetes.io/managed-by=mcpg-functions,${PARENT}=${parent}`;

/** The API server as live reads see it, counting them. */
function cluster(objects: KubeObject[]) {
  const live = new Map(objects.map((o) => [o.metadata.name, o]));
  const reads = { get: 0, list: 0 };
  const api: LiveReads = {
    get: (key) => {
      reads.get += 1;
      return Promise.resolve(live.get(key.name));
    },
    list: () => {
      reads.list += 1;
      return Promise.resolve([...live.values()]);
    },
  };
  return { api, reads, live };
}

function memory(maxAgeMs = 60_000) {
  const time = { now: 0 };
  const kinds = [{ apiVersion: 'v1', kind: 'Pod' }];
  return { known: new KnownObjects({ maxAgeMs, kinds, clock: () => time.now }), time };
}

const names = (objects: KubeObject[] | undefined) => objects?.map((o) => o.metadata.name).sort();

describe('what a function remembers between passes', () => {
  it('lists a namespace once for the children of every parent in it', async () => {
    const { known } = memory();
    const { api, reads } = cluster([pod('a-1', 'a'), pod('a-2', 'a'), pod('b-1', 'b')]);
    expect(names(await known.children(pods, childrenOf('a'), api))).toEqual(['a-1', 'a-2']);
    expect(names(await known.children(pods, childrenOf('b'), api))).toEqual(['b-1']);
    expect(reads).toEqual({ get: 0, list: 1 });
  });

  it('reads again, by name, only the objects an event said moved, and finds new ones an event named', async () => {
    const { known } = memory();
    const { api, reads, live } = cluster([pod('a-1', 'a')]);
    await known.children(pods, childrenOf('a'), api);
    // Unchanged: an event naming the version held is no news.
    known.hint(keyOf(pod('a-1', 'a')), '1');
    live.set('a-1', pod('a-1', 'a', '2'));
    known.hint(keyOf(pod('a-1', 'a')), '2');
    live.set('a-2', pod('a-2', 'a', '3'));
    known.hint(keyOf(pod('a-2', 'a')), '3');
    const found = await known.children(pods, childrenOf('a'), api);
    expect(found?.map((o) => o.metadata.resourceVersion).sort()).toEqual(['2', '3']);
    expect(reads).toEqual({ get: 2, list: 1 });
  });

  it('drops a child an event said was deleted', async () => {
    const { known } = memory();
    const { api, live } = cluster([pod('a-1', 'a'), pod('a-2', 'a')]);
    await known.children(pods, childrenOf('a'), api);
    live.delete('a-2');
    known.hint(keyOf(pod('a-2', 'a')), '9');
    expect(names(await known.children(pods, childrenOf('a'), api))).toEqual(['a-1']);
  });

  it('answers what it was told by our own writes, and forgets on request', () => {
    const { known } = memory();
    const written = pod('a-1', 'a', '5');
    known.remember(keyOf(written), written, known.mark());
    expect(known.held(keyOf(written))?.object).toBe(written);
    known.hint(keyOf(written), '5');
    expect(known.held(keyOf(written))?.object).toBe(written);
    known.forget(keyOf(written));
    expect(known.held(keyOf(written))).toBeUndefined();
  });

  it('never takes a copy older than its limit, nor an absence older than a second, and lets go once idle', async () => {
    const { known, time } = memory(1_000);
    const { api, reads } = cluster([pod('a-1', 'a')]);
    await known.children(pods, childrenOf('a'), api);
    known.remember(keyOf(pod('gone', 'a')), undefined, known.mark());
    time.now = 500;
    expect(known.held(keyOf(pod('gone', 'a')))).toEqual({ object: undefined });
    time.now = 1_500;
    expect(known.held(keyOf(pod('gone', 'a')))).toBeUndefined();
    await known.children(pods, childrenOf('a'), api);
    expect(reads.list).toBe(2);
    time.now = 5_000;
    known.remember(keyOf(pod('b-1', 'b')), pod('b-1', 'b'), known.mark());
    expect(known.size).toBe(1);
  });

  it('lists live any selector that is not the children of one parent', async () => {
    const { known } = memory();
    const { api } = cluster([pod('a-1', 'a')]);
    expect(await known.children(pods, 'app.kubernetes.io/managed-by=mcpg-functions', api)).toBeUndefined();
    expect(await known.children(pods, `${PARENT}=a`, api)).toBeUndefined();
    expect(await known.children({ ...pods, namespace: undefined }, childrenOf('a'), api)).toBeUndefined();
  });

  it('holds nothing of kinds whose changes send it no event', () => {
    const { known } = memory();
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'team-a' } };
    known.remember(keyOf(secret), undefined, known.mark());
    expect(known.held(keyOf(secret))).toBeUndefined();
  });

  it('keeps stale an answer to a read sent before an event about a newer version arrived', () => {
    const { known } = memory();
    const key = keyOf(pod('a-1', 'a'));
    known.remember(key, pod('a-1', 'a', '3'), known.mark());
    const sent = known.mark();
    // While the read is on its way, the object moves to 5 and the event says so; the read was served at 4.
    known.hint(key, '5');
    known.remember(key, pod('a-1', 'a', '4'), sent);
    expect(known.held(key)).toBeUndefined();
    // A read sent after the event answers 5 or later, and is believed.
    known.remember(key, pod('a-1', 'a', '5'), known.mark());
    expect(known.held(key)?.object?.metadata.resourceVersion).toBe('5');
  });

  it('keeps stale an older answer that arrives after a newer one, and believes one at the version the event named', () => {
    const { known } = memory();
    const key = keyOf(pod('a-1', 'a'));
    const early = known.mark();
    known.hint(key, '6');
    known.remember(key, pod('a-1', 'a', '6'), known.mark());
    known.remember(key, pod('a-1', 'a', '5'), early);
    expect(known.held(key)).toBeUndefined();
    known.remember(key, pod('a-1', 'a', '6'), early);
    expect(known.held(key)?.object?.metadata.resourceVersion).toBe('6');
  });

  it('reads again a child whose event arrived while its set was being listed', async () => {
    const { known } = memory();
    const { api, live, reads } = cluster([pod('a-1', 'a', '1')]);
    const listing = known.children(pods, childrenOf('a'), {
      ...api,
      list: async (type, selector) => {
        const items = await api.list(type, selector);
        // The pod moves while the list is on its way back; its event arrives first.
        live.set('a-1', pod('a-1', 'a', '2'));
        known.hint(keyOf(pod('a-1', 'a')), '2');
        return items;
      },
    });
    expect((await listing)?.map((o) => o.metadata.resourceVersion)).toEqual(['1']);
    const again = await known.children(pods, childrenOf('a'), api);
    expect(again?.map((o) => o.metadata.resourceVersion)).toEqual(['2']);
    expect(reads.get).toBe(1);
  });

  it('an event without a version (sent by reference) makes the copy read again', () => {
    const { known } = memory();
    const held = pod('a-1', 'a');
    known.remember(keyOf(held), held, known.mark());
    known.hint(keyOf(held), undefined);
    expect(known.held(keyOf(held))).toBeUndefined();
  });

  it('sends one read for two asks of an object while the first is on its way, and holds the answer', async () => {
    const { known } = memory();
    const { api, reads } = cluster([pod('a-1', 'a', '4')]);
    const key = keyOf(pod('a-1', 'a'));
    const [first, second] = await Promise.all([known.read(key, api.get), known.read(key, api.get)]);
    expect(reads.get).toBe(1);
    expect(second).toBe(first);
    expect(known.held(key)?.object?.metadata.resourceVersion).toBe('4');
  });

  it('does not join a read sent before an event about the object arrived', async () => {
    const { known } = memory();
    const { api, live, reads } = cluster([pod('a-1', 'a', '4')]);
    const key = keyOf(pod('a-1', 'a'));
    const early = known.read(key, api.get);
    // The object moves to 5 after the first read was served; the event says so before the second ask.
    live.set('a-1', pod('a-1', 'a', '5'));
    known.hint(key, '5');
    const late = await known.read(key, api.get);
    expect((await early)?.metadata.resourceVersion).toBe('4');
    expect(late?.metadata.resourceVersion).toBe('5');
    expect(reads.get).toBe(2);
  });

  it('never joins reads of kinds it does not hold', async () => {
    const { known } = memory();
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'team-a' } };
    let reads = 0;
    const get = () => {
      reads += 1;
      return Promise.resolve(secret as KubeObject);
    };
    await Promise.all([known.read(keyOf(secret), get), known.read(keyOf(secret), get)]);
    expect(reads).toBe(2);
  });

  it('sends a read that must be live even while another read of the object is on its way', async () => {
    const { known } = memory();
    const { api, reads } = cluster([pod('a-1', 'a', '4')]);
    const key = keyOf(pod('a-1', 'a'));
    await Promise.all([known.read(key, api.get), known.read(key, api.get, { join: false })]);
    expect(reads.get).toBe(2);
  });
});
