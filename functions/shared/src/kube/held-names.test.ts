import { describe, expect, it } from 'vitest';
import { HeldNames } from './held-names.ts';
import type { KubeObject } from './objects.ts';

const MANAGED: [string, string] = ['app.kubernetes.io/managed-by', 'mcpg-functions'];
const PARENT = 'mcpg.dev/mcpgserver';

function pod(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team-a', labels } };
}
const managedPod = (name: string, parent: string) =>
  pod(name, { [MANAGED[0]]: MANAGED[1], [PARENT]: parent });
const names = (held: { object: KubeObject }[]) => held.map((h) => h.object.metadata.name).sort();

describe('the copies held of one type in one namespace', () => {
  it('finds the children of a parent by label, and follows copies replaced with other labels or dropped', () => {
    const held = new HeldNames(MANAGED);
    for (const [name, parent] of [
      ['a-1', 'a'],
      ['a-2', 'a'],
      ['b-1', 'b'],
    ] as const)
      held.set(name, { object: managedPod(name, parent), at: 0, stale: false });
    // Labelled like a child, but not managed by us: never one of our children.
    held.set('foreign', { object: pod('foreign', { [PARENT]: 'a' }), at: 0, stale: false });
    expect(names(held.labelled(PARENT, 'a'))).toEqual(['a-1', 'a-2']);

    held.set('a-2', { object: managedPod('a-2', 'b'), at: 1, stale: false });
    held.delete('a-1');
    expect(names(held.labelled(PARENT, 'a'))).toEqual([]);
    expect(names(held.labelled(PARENT, 'b'))).toEqual(['a-2', 'b-1']);

    // A name held as not existing is no one's child.
    held.set('b-1', { object: undefined, at: 2, stale: false });
    expect(names(held.labelled(PARENT, 'b'))).toEqual(['a-2']);
  });

  it('lists the stale copies until a fresh copy replaces them or they are dropped', () => {
    const held = new HeldNames(MANAGED);
    held.set('a-1', { object: managedPod('a-1', 'a'), at: 0, stale: false });
    held.set('a-2', { object: managedPod('a-2', 'a'), at: 0, stale: false });
    held.set('gone', { object: undefined, at: 0, stale: true });
    held.markStale('a-1');
    held.markStale('never-held');
    expect(held.stale().sort()).toEqual(['a-1', 'gone']);
    expect(held.get('a-1')?.stale).toBe(true);

    held.set('a-1', { object: managedPod('a-1', 'a'), at: 1, stale: false });
    held.delete('gone');
    expect(held.stale()).toEqual([]);
  });

  it('keeps its index in step while entries are dropped during a walk over them', () => {
    const held = new HeldNames(MANAGED);
    for (let i = 0; i < 10; i++)
      held.set(`p-${i}`, { object: managedPod(`p-${i}`, 'a'), at: i, stale: i % 2 === 0 });
    for (const [name, entry] of held) if (entry.at < 5) held.delete(name);
    expect(names(held.labelled(PARENT, 'a'))).toEqual(['p-5', 'p-6', 'p-7', 'p-8', 'p-9']);
    expect(held.stale().sort()).toEqual(['p-6', 'p-8']);
    held.clear();
    expect(held.labelled(PARENT, 'a')).toEqual([]);
    expect(held.stale()).toEqual([]);
  });
});
