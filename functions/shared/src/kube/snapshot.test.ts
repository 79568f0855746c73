import { describe, expect, it } from 'vitest';
import type { KubeObject } from './objects.ts';
import { equalityRequirements, MANAGED_SELECTOR, ResyncSnapshot, type ListLive } from './snapshot.ts';

const object = (
  kind: string,
  name: string,
  namespace: string,
  labels: Record<string, string>,
): KubeObject => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'mcpg.dev/v1alpha2',
  kind,
  metadata: { name, namespace, labels },
});

const managed = (parent: string) => ({
  'app.kubernetes.io/managed-by': 'mcpg-functions',
  'mcpg.dev/mcpgserver': parent,
});

/** A stand-in API server over a fixed set of objects that records every request it gets. */
function fakeApi(objects: KubeObject[]) {
  const calls: string[] = [];
  const matches = (o: KubeObject, selector?: string) =>
    selector === undefined ||
    (equalityRequirements(selector) ?? []).every(([k, v]) => o.metadata.labels?.[k] === v);
  const listLive: ListLive = (type, selector) => {
    calls.push(`LIST ${type.kind}/${type.namespace ?? ''}?${selector ?? ''}`);
    if (type.namespace === 'broken') return Promise.reject(new Error('API server unavailable'));
    return Promise.resolve(
      objects.filter(
        (o) => o.kind === type.kind && o.metadata.namespace === type.namespace && matches(o, selector),
      ),
    );
  };
  const getLive = (kind: string, name: string, namespace: string) => () => {
    calls.push(`GET ${kind}/${namespace}/${name}`);
    return Promise.resolve(
      objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace),
    );
  };
  return { calls, listLive, getLive };
}

const key = (name: string, namespace: string, kind = 'Deployment') => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'mcpg.dev/v1alpha2',
  kind,
  name,
  namespace,
});

const CHILD_TYPES = [{ apiVersion: 'apps/v1', kind: 'Deployment' }];

describe('a resync snapshot', () => {
  const objects = [
    object('Deployment', 'a', 'team-a', managed('a')),
    object('Deployment', 'b', 'team-a', managed('b')),
    object('Deployment', 'c', 'team-b', managed('c')),
    object('Deployment', 'foreign', 'team-a', { app: 'someone-else' }),
    object('MCPGPluginSet', 'shared', 'team-a', {}),
  ];

  it('lists each child type once per namespace, then answers reads from memory', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive, [], CHILD_TYPES);
    for (const [name, ns] of [
      ['a', 'team-a'],
      ['b', 'team-a'],
      ['c', 'team-b'],
    ] as const) {
      expect((await snapshot.get(key(name, ns), api.getLive('Deployment', name, ns)))?.metadata.name).toBe(
        name,
      );
    }
    expect(api.calls).toEqual([
      `LIST Deployment/team-a?${MANAGED_SELECTOR}`,
      `LIST Deployment/team-b?${MANAGED_SELECTOR}`,
    ]);
  });

  it('reads an object it does not hold live, so a foreign object with a child’s name is seen', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive, [], CHILD_TYPES);
    const foreign = await snapshot.get(
      key('foreign', 'team-a'),
      api.getLive('Deployment', 'foreign', 'team-a'),
    );
    expect(foreign?.metadata.labels).toEqual({ app: 'someone-else' });
    expect(
      await snapshot.get(key('missing', 'team-a'), api.getLive('Deployment', 'missing', 'team-a')),
    ).toBeUndefined();
    expect(api.calls).toContain('GET Deployment/team-a/foreign');
  });

  it('serves label-selected lists within our labelled set from the one list', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive, [], CHILD_TYPES);
    const type = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a' };
    const selector = `${MANAGED_SELECTOR},mcpg.dev/mcpgserver=b`;
    const children = await snapshot.list(type, selector, () => api.listLive(type, selector));
    expect(children.map((o) => o.metadata.name)).toEqual(['b']);
    expect(api.calls).toEqual([`LIST Deployment/team-a?${MANAGED_SELECTOR}`]);
  });

  it('sends a dependency read shared by many objects once per pass', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive, [], CHILD_TYPES);
    const type = { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGPluginSet', namespace: 'team-a' };
    for (let gateway = 0; gateway < 3; gateway += 1) {
      await snapshot.get(
        key('shared', 'team-a', 'MCPGPluginSet'),
        api.getLive('MCPGPluginSet', 'shared', 'team-a'),
      );
      await snapshot.list(type, undefined, () => api.listLive(type));
    }
    expect(api.calls.filter((c) => !c.includes(MANAGED_SELECTOR))).toEqual([
      'GET MCPGPluginSet/team-a/shared',
      'LIST MCPGPluginSet/team-a?',
    ]);
  });

  it('answers the listed objects without reading them again, but lists their kind live', async () => {
    const api = fakeApi([]);
    const server = object('MCPGServer', 'tools', 'team-a', {});
    const snapshot = new ResyncSnapshot(api.listLive, [server]);
    expect(
      await snapshot.get(key('tools', 'team-a', 'MCPGServer'), api.getLive('MCPGServer', 'tools', 'team-a')),
    ).toBe(server);
    const type = { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer', namespace: 'team-a' };
    await snapshot.list(type, undefined, () => api.listLive(type));
    await snapshot.list(type, undefined, () => api.listLive(type));
    expect(api.calls).toEqual(['LIST MCPGServer/team-a?', 'LIST MCPGServer/team-a?']);
  });

  it('never lists a kind that is not a child type: a function may hold only `get` on it', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive, [], CHILD_TYPES);
    const read = () =>
      snapshot.get(
        key('shared', 'team-a', 'MCPGPluginSet'),
        api.getLive('MCPGPluginSet', 'shared', 'team-a'),
      );
    expect((await read())?.metadata.name).toBe('shared');
    expect(api.calls).toEqual(['GET MCPGPluginSet/team-a/shared']);
  });

  it('does not remember a failed read: the next one tries again', async () => {
    const api = fakeApi(objects);
    const snapshot = new ResyncSnapshot(api.listLive, [], CHILD_TYPES);
    const read = () => snapshot.get(key('a', 'broken'), api.getLive('Deployment', 'a', 'broken'));
    await expect(read()).rejects.toThrow('API server unavailable');
    await expect(read()).rejects.toThrow('API server unavailable');
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

  it('narrows its child lists to one page of parents, and sends other parents’ lists live', async () => {
    const api = fakeApi([
      object('Deployment', 'a', 'team-a', managed('a')),
      object('Deployment', 'z', 'team-a', managed('z')),
    ]);
    const snapshot = new ResyncSnapshot(api.listLive, [], CHILD_TYPES, {
      key: 'mcpg.dev/mcpgserver',
      values: ['b', 'a'],
    });
    const type = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a' };
    const of = (parent: string) => `${MANAGED_SELECTOR},mcpg.dev/mcpgserver=${parent}`;
    await snapshot.list(type, of('a'), () => api.listLive(type, of('a')));
    await snapshot.list(type, of('b'), () => api.listLive(type, of('b')));
    await snapshot.list(type, of('z'), () => api.listLive(type, of('z')));
    expect(api.calls).toEqual([
      `LIST Deployment/team-a?${MANAGED_SELECTOR},mcpg.dev/mcpgserver in (a,b)`,
      `LIST Deployment/team-a?${of('z')}`,
    ]);
  });
});
