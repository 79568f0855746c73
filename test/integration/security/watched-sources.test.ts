import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { TENANT_LABEL, TENANT_OPT_IN_LABEL } from '@mcpg-functions/shared/api';
import { eventSources, TENANT_NAMESPACES, WATCHED, type EventSource } from '@mcpg-functions/shared/knative';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { wiring as serverWiring } from '@mcpg-functions/server/wiring';
import { wiring as tenantWiring } from '@mcpg-functions/tenant/wiring';
import { sourceAdapter, startAdapter, stopAdapter } from '../../cluster/adapter.ts';
import type { ManagedProcess } from '../../cluster/processes.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { EventReceiver } from '../support/event-receiver.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';
import { serviceAccountsFor, watchedAccountsFor } from '../support/service-accounts.ts';
import { optInNamespace } from '../support/tenant-namespaces.ts';

const CANARY = 'watched-c0ntent-must-not-travel';
const REFERENCE_FIELDS = ['apiVersion', 'kind', 'name', 'namespace'];

// The server function's watched source (the one following Secrets and ConfigMaps users label mcpg.dev/watch=true)
// runs as its generated ServiceAccount, which holds no cluster-wide read; the real tenant function binds its role
// in the namespaces a tenant holds. The real API server's authorizer answers what that account may read, and
// Knative's adapter, given the namespaces the source's namespaceSelector picks, shows what it sends.
describe('the watched sources read Secrets only in namespaces a tenant holds', () => {
  const kube = clients();
  const home = useNamespace('watched-home');
  const opted = useNamespace('watched-opted');
  const closed = useNamespace('watched-closed');
  const tenantName = `${opted.name}-tenant`;
  const tenantPath = `/apis/mcpg.dev/v1alpha2/mcpgtenants/${tenantName}`;
  const runLabel = { 'mcpg.dev/test-run': opted.name };
  let tenantFn: FunctionUnderTest;
  let source: EventSource;
  let account: { namespace: string; name: string };
  let sourceKubeconfig = '';
  const stops: (() => Promise<void>)[] = [];

  const eventually = <T>(check: () => Promise<T> | T) =>
    vi.waitFor(check, { timeout: 45_000, interval: 250 });

  /** What the API server's authorizer says the account may do, as Knative's controller asks it before deploying. */
  async function may(verb: string, resource: string, namespace: string): Promise<boolean> {
    const review = await kubeRequest<{ status: { allowed: boolean } }>(kube.config, {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${account.namespace}:${account.name}`,
          groups: [
            'system:serviceaccounts',
            `system:serviceaccounts:${account.namespace}`,
            'system:authenticated',
          ],
          resourceAttributes: { verb, resource, namespace },
        },
      },
    });
    return review.status.allowed;
  }

  /** Every verb Knative checks, on both kinds the source watches. */
  async function readable(namespace: string): Promise<boolean[]> {
    const answers: boolean[] = [];
    for (const resource of ['secrets', 'configmaps'])
      for (const verb of ['get', 'list', 'watch']) answers.push(await may(verb, resource, namespace));
    return answers;
  }

  /** Lists Secrets with the source account's own token, as its adapter would. */
  async function listAsSource(namespace: string): Promise<number> {
    return kubeRequest(loadKubeConfig(sourceKubeconfig), {
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}/secrets`,
    }).then(
      () => 200,
      (error: unknown) => Number(/\b(40[13])\b/.exec(String(error))?.[1] ?? 0),
    );
  }

  /** The namespaces the source's namespaceSelector picks among this file's, as Knative's controller computes them. */
  async function selected(): Promise<string[]> {
    const [labels] = Object.entries(TENANT_NAMESPACES.matchLabels);
    const keys = TENANT_NAMESPACES.matchExpressions.map((e) => e.key);
    const selector = [`${labels?.[0]}=${labels?.[1]}`, ...keys].join(',');
    const list = await kubeRequest<{ items: { metadata: { name: string } }[] }>(kube.config, {
      method: 'GET',
      path: `/api/v1/namespaces?labelSelector=${encodeURIComponent(selector)}`,
    });
    const ours = [opted.name, closed.name, home.name];
    return list.items.map((n) => n.metadata.name).filter((n) => ours.includes(n));
  }

  const secret = (name: string, value: string) => ({
    metadata: { name, labels: WATCHED },
    stringData: { token: `${CANARY}-${value}` },
  });

  beforeAll(async () => {
    await installCrds(kube);
    for (const namespace of [home.name, opted.name, closed.name])
      await kubeRequest(kube.config, {
        method: 'PATCH',
        path: `/api/v1/namespaces/${namespace}`,
        contentType: 'application/merge-patch+json',
        body: { metadata: { labels: runLabel } },
      });
    await optInNamespace(kube, opted.name);
    const accounts = await serviceAccountsFor(kube, serverWiring, home.name, inject('clusterRunDir'));
    stops.push(() => accounts.remove());
    source = eventSources(serverWiring).find((s) => s.scope === 'tenants') as EventSource;
    [account] = watchedAccountsFor(serverWiring, home.name) as [typeof account];
    sourceKubeconfig = accounts.sources.get(source.name) ?? '';
    tenantFn = await startWithEventSource({
      name: 'tenant',
      clients: kube,
      namespace: home.name,
      wiring: tenantWiring,
      clusterScopedLabels: runLabel,
      watchedSources: [account],
      probe: {
        create: (name) =>
          apply(kube, {
            apiVersion: 'mcpg.dev/v1alpha2',
            kind: 'MCPGTenant',
            metadata: { name: `${home.name}-${name}`, labels: runLabel },
            spec: { namespaces: [home.name] },
          }),
        reconciled: async (name) =>
          (
            await kubeRequest<{ status?: { conditions?: unknown[] } }>(kube.config, {
              method: 'GET',
              path: `/apis/mcpg.dev/v1alpha2/mcpgtenants/${home.name}-${name}`,
            })
          ).status?.conditions !== undefined,
        remove: (name) =>
          kubeRequest(kube.config, {
            method: 'DELETE',
            path: `/apis/mcpg.dev/v1alpha2/mcpgtenants/${home.name}-${name}`,
          }),
      },
    });
    stops.push(() => tenantFn.stop());
  }, 180_000);

  afterAll(async () => {
    await kubeRequest(kube.config, { method: 'DELETE', path: tenantPath }).catch(() => undefined);
    for (const stop of stops.reverse()) await stop();
  });

  it('may read nowhere before a tenant binds a namespace, not even cluster-wide', async () => {
    expect(source.name).toBe('mcpg-server-watched');
    for (const namespace of [opted.name, closed.name, home.name, ''])
      expect(await readable(namespace), namespace || 'cluster-wide').toEqual(Array(6).fill(false));
    expect(await listAsSource(opted.name)).toBe(403);
  });

  it('may read in the namespace a tenant holds, not in one it lists without the opt-in, and sends no content', async () => {
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGTenant',
      metadata: { name: tenantName, labels: runLabel },
      spec: { namespaces: [opted.name, closed.name] },
    });
    await eventually(async () => {
      expect(await readable(opted.name)).toEqual(Array(6).fill(true));
    });
    expect(await listAsSource(opted.name)).toBe(200);
    for (const namespace of [closed.name, home.name, '']) {
      expect(await readable(namespace), namespace || 'cluster-wide').toEqual(Array(6).fill(false));
    }
    expect(await listAsSource(closed.name)).toBe(403);
    const namespace = await kube.core.readNamespace({ name: opted.name });
    expect(namespace.metadata?.labels?.[TENANT_LABEL]).toBe(tenantName);
    expect(namespace.metadata?.labels?.[TENANT_OPT_IN_LABEL]).toBe('true');

    // Knative's adapter over the namespaces the selector picks, as its controller configures it.
    expect(await selected()).toEqual([opted.name]);
    const receiver = new EventReceiver();
    const adapter: ManagedProcess = await startAdapter({
      ...sourceAdapter(source),
      name: `watched-${opted.name}`,
      kubeconfig: sourceKubeconfig,
      sink: await receiver.listen(),
      namespaces: await selected(),
      logDir: path.join(inject('clusterRunDir'), 'logs'),
    });
    stops.push(async () => {
      await stopAdapter(adapter);
      await receiver.close();
    });
    const seen = (name: string) => receiver.events.some((e) => e.name === name);
    let round = 0;
    await vi.waitFor(
      async () => {
        adapter.assertRunning();
        round += 1;
        await kube.core.createNamespacedSecret({
          namespace: opted.name,
          body: secret(`probe-${round}`, 'probe'),
        });
        expect(receiver.events.some((e) => String(e.name).startsWith('probe-'))).toBe(true);
      },
      { timeout: 60_000, interval: 1_000 },
    );
    await kube.core.createNamespacedSecret({ namespace: closed.name, body: secret('elsewhere', 'closed') });
    await kube.core.createNamespacedSecret({ namespace: opted.name, body: secret('rotated', 'one') });
    await kube.core.replaceNamespacedSecret({
      name: 'rotated',
      namespace: opted.name,
      body: secret('rotated', 'two'),
    });
    await eventually(() => {
      expect(receiver.events.filter((e) => e.name === 'rotated').map((e) => e.type)).toEqual([
        'dev.knative.apiserver.ref.add',
        'dev.knative.apiserver.ref.update',
      ]);
    });
    expect(seen('elsewhere')).toBe(false);
    expect(receiver.events.filter((e) => JSON.stringify(e).includes(CANARY))).toEqual([]);
    for (const event of receiver.events)
      for (const key of Object.keys(event.data as object)) expect(REFERENCE_FIELDS).toContain(key);
  });

  it('loses the read again when the tenant lets the namespace go', async () => {
    await kubeRequest(kube.config, { method: 'DELETE', path: tenantPath });
    await eventually(async () => {
      expect(await readable(opted.name)).toEqual(Array(6).fill(false));
    });
    expect(await listAsSource(opted.name)).toBe(403);
    expect(await selected()).toEqual([]);
  });
});
