import { describe, expect, it } from 'vitest';
import type { KubeObject, ObjectClient, ObjectKey } from '../kube/index.ts';
import { CHILD_NOT_OWNED, CHILD_REJECTED, planChildren, writeChildren } from './children.ts';
import type { Desired } from './driver.ts';
import { childMetadata } from './ownership.ts';

const parent: KubeObject = {
  apiVersion: 'mcpg.dev/v1alpha2',
  kind: 'MCPGServer',
  metadata: { name: 'tools', namespace: 'team-a', uid: 'uid-tools' },
};
const child = (kind: string, apiVersion: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: childMetadata(parent, { name: 'tools', component: 'server' }),
});
const deployment = child('Deployment', 'apps/v1');
const service = child('Service', 'v1');

/** The API server's answers for one pass: what exists, and what it refuses to store. */
function apiServer(existing: KubeObject[], refuses?: string) {
  const applied: string[] = [];
  const client = {
    get: (key: ObjectKey) => Promise.resolve(existing.find((o) => o.kind === key.kind)),
    apply: (object: KubeObject) => {
      if (object.kind === refuses)
        return Promise.reject(Object.assign(new Error(`${object.kind} is invalid`), { code: 422 }));
      applied.push(object.kind);
      return Promise.resolve(object);
    },
    list: () => Promise.resolve([]),
    delete: () => Promise.resolve(),
  };
  return { client: client as unknown as ObjectClient, applied };
}

const desired = { children: [deployment, service], status: {}, conditions: [] };

/** One pass's work on the children: plan, then write; the kinds it applied. */
async function reconcileChildren(client: ObjectClient, wanted: Desired): Promise<string[]> {
  const plan = await planChildren(client, parent, wanted, []);
  return (await writeChildren(client, plan)).map((c) => c.kind);
}

describe('bringing children to what the kind computed', () => {
  it('writes nothing when a wanted name is held by an object the parent does not control', async () => {
    const foreign = { ...service, metadata: { name: 'tools', namespace: 'team-a' } };
    const api = apiServer([foreign]);
    const failing = reconcileChildren(api.client, desired);
    await expect(failing).rejects.toMatchObject({
      code: 'MCPG_ERR_TERMINAL',
      reason: CHILD_NOT_OWNED,
      waitsFor: 'spec',
    });
    await expect(failing).rejects.toThrow(
      'Service team-a/tools already exists and belongs to no MCPG object',
    );
    expect(api.applied).toEqual([]);
  });

  it('names the other owner when another MCPG object controls the child', async () => {
    const gatewayOwned = {
      ...service,
      metadata: {
        ...service.metadata,
        ownerReferences: [
          { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGGateway', name: 'tools', uid: 'g', controller: true },
        ],
      },
    };
    await expect(reconcileChildren(apiServer([gatewayOwned]).client, desired)).rejects.toThrow(
      'belongs to MCPGGateway tools',
    );
  });

  it('turns a child the API server refuses (422) into a terminal failure that waits for a spec change', async () => {
    await expect(reconcileChildren(apiServer([], 'Service').client, desired)).rejects.toMatchObject({
      reason: CHILD_REJECTED,
      waitsFor: 'spec',
    });
  });

  it('applies only what is missing or drifted', async () => {
    const api = apiServer([deployment]);
    expect(await reconcileChildren(api.client, desired)).toEqual(['Service']);
    expect(api.applied).toEqual(['Service']);
  });
});
