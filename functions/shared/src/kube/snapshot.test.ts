import { describe, expect, it } from 'vitest';
import type { KubeObject } from './objects.ts';
import { equalityRequirements, MANAGED_SELECTOR, ResyncSnapshot, type ListLive } from './snapshot.ts';

const deployment = (name: string, namespace: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels },
});

const managed = (parent: string) => ({
  'app.kubernetes.io/managed-by': 'mcpg-functions',
  'mcpg.dev/mcpgserver': parent,
});

function fakeApi(objects: KubeObject[]) {
  const calls: string[] = [];
  const listLive: ListLive = (type, selector) => {
    calls.push(`${type.kind}/${type.namespace ?? ''}?${selector ?? ''}`);
    if (type.namespace === 'broken') return Promise.reject(new Error('API server unavailable'));
    return Promise.resolve(
      objects.filter(
        (o) =>
          o.kind === type.kind &&
          o.metadata.namespace === type.namespace &&
          o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'mcpg-functions',
      ),
    );
  };
  return { calls, listLive };
}

const key = (name: string, namespace: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name,
  namespace,
});

describe('a resync snapshot', () => {
  const objects = [
    deployment('a', 'team-a', managed('a')),
    deployment('b', 'team-a', managed('b')),
    deployment('c', 'team-b', managed('c')),
    deployment('foreign', 'team-a', { app: 'someone-else' }),
  ];

  it('lists each type once per namespace, then answers reads from memory', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive);
    expect((await snapshot.get(key('a', 'team-a')))?.metadata.name).toBe('a');
    expect((await snapshot.get(key('b', 'team-a')))?.metadata.name).toBe('b');
    expect((await snapshot.get(key('c', 'team-b')))?.metadata.name).toBe('c');
    expect(api.calls).toEqual([
      `Deployment/team-a?${MANAGED_SELECTOR}`,
      `Deployment/team-b?${MANAGED_SELECTOR}`,
    ]);
  });

  it('leaves objects it does not hold to a live read, so a foreign object with a child’s name is seen', async () => {
    const snapshot = new ResyncSnapshot(fakeApi(objects).listLive);
    expect(await snapshot.get(key('foreign', 'team-a'))).toBeUndefined();
    expect(await snapshot.get(key('missing', 'team-a'))).toBeUndefined();
  });

  it('answers label-selected lists within our labelled set, and only those', async () => {
    const snapshot = new ResyncSnapshot(fakeApi(objects).listLive);
    const type = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a' };
    const children = await snapshot.list(type, `${MANAGED_SELECTOR},mcpg.dev/mcpgserver=b`);
    expect(children?.map((o) => o.metadata.name)).toEqual(['b']);
    expect(await snapshot.list(type, 'app=someone-else')).toBeUndefined();
    expect(await snapshot.list(type, `${MANAGED_SELECTOR},tier in (web)`)).toBeUndefined();
    expect(await snapshot.list(type, undefined)).toBeUndefined();
  });

  it('answers the objects the resync already listed without reading them again', async () => {
    const api = fakeApi([]);
    const server = {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'tools', namespace: 'team-a', resourceVersion: '7' },
    };
    const snapshot = new ResyncSnapshot(api.listLive, [server]);
    expect(await snapshot.get({ ...server, ...server.metadata })).toBe(server);
    expect(api.calls).toEqual([]);
  });

  it('does not remember a failed list: the next read tries again', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive);
    await expect(snapshot.get(key('a', 'broken'))).rejects.toThrow('API server unavailable');
    await expect(snapshot.get(key('a', 'broken'))).rejects.toThrow('API server unavailable');
    expect(api.calls).toHaveLength(2);
  });
});

describe('equality requirements of a label selector', () => {
  it.each([
    ['a=b', [['a', 'b']]],
    [
      'a==b, c=d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['app.kubernetes.io/name=x', [['app.kubernetes.io/name', 'x']]],
    ['a!=b', undefined],
    ['a in (b)', undefined],
    ['a', undefined],
  ])('%s', (selector, expected) => {
    expect(equalityRequirements(selector)).toEqual(expected);
  });
});
