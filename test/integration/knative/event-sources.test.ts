import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  childrenOf,
  eventSources,
  functionManifests,
  GATEWAY_CONFIG_LABELS,
  WATCHED,
  type EventSource,
  type FunctionWiring,
} from '@mcpg-functions/shared/knative';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { wirings } from '../../../hack/knative-manifests.ts';
import { example } from '../../fixtures/examples.ts';
import { sourceAdapter, startAdapter, stopAdapter } from '../../cluster/adapter.ts';
import type { ManagedProcess } from '../../cluster/processes.ts';
import { apply, installCrds } from '../support/crds.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { EventReceiver, type ReceivedEvent } from '../support/event-receiver.ts';
import { grantWatchedSources, serviceAccountsFor } from '../support/service-accounts.ts';

/** One ApiServerSource of one function, run as Knative runs it: its adapter, its mode, its ServiceAccount. */
interface Recorded {
  fn: string;
  source: EventSource;
  receiver: EventReceiver;
  adapter: ManagedProcess;
}

const CANARY = 'canary-c0ntent-must-not-travel';
const REFERENCE_FIELDS = ['apiVersion', 'kind', 'name', 'namespace'];
const POD_SPEC = { containers: [{ name: 'main', image: 'registry.example/none:1' }] };

// Every function's every source, as the generated manifests declare them (their own mode, their own ServiceAccount
// with only the generated RBAC; cluster-wide, but watched sources only where a tenant would bind them, here both
// namespaces), recorded while Secrets, ConfigMaps and pods change.
describe('what the event sources send', () => {
  const kube = clients();
  const first = useNamespace('sources-a');
  const second = useNamespace('sources-b');
  const recorded: Recorded[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let all: FunctionWiring[] = [];

  const post = (collection: string, body: object) =>
    kubeRequest(kube.config, { method: 'POST', path: collection, body });
  const put = (collection: string, name: string, body: object) =>
    kubeRequest(kube.config, { method: 'PUT', path: `${collection}/${name}`, body });
  const remove = (collection: string, name: string) =>
    kubeRequest(kube.config, { method: 'DELETE', path: `${collection}/${name}` });
  const core = (namespace: string, plural: string) => `/api/v1/namespaces/${namespace}/${plural}`;
  const meta = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels } });

  const watchedKinds = (r: Recorded) => new Set(r.source.watches.map((w) => w.kind));
  const seen = (r: Recorded, kind: string, name: (n: string) => boolean, namespace?: string) =>
    r.receiver.events.some(
      (e) => e.kind === kind && name(String(e.name)) && (namespace === undefined || e.namespace === namespace),
    );
  const about = (name: string, namespace: string) => (e: ReceivedEvent) =>
    e.name === name && e.namespace === namespace;
  const sourceOf = (name: string) => {
    const found = recorded.find((r) => r.source.name === name);
    if (!found) throw new Error(`no source ${name}`);
    return found;
  };

  /** One of each object some source watches, so that every watch of every source shows it has started. */
  async function probe(round: number): Promise<void> {
    const ns = first.name;
    const name = `probe-${round}`;
    await post(core(ns, 'configmaps'), meta(name, { ...WATCHED, ...GATEWAY_CONFIG_LABELS }));
    await post(core(ns, 'secrets'), meta(name, WATCHED));
    for (const kind of ['MCPGServer', 'MCPGGateway', 'MCPGInstance']) {
      await post(core(ns, 'services'), {
        ...meta(`${name}-${kind.toLowerCase()}`, childrenOf(kind)),
        spec: { ports: [{ port: 80 }] },
      });
    }
    for (const kind of ['MCPGServer', 'MCPGInstance'])
      await post(core(ns, 'pods'), { ...meta(`${name}-${kind.toLowerCase()}`, childrenOf(kind)), spec: POD_SPEC });
    await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      ...meta(name, childrenOf('MCPGTenant')),
      rules: [],
    });
    const plugin = example('MCPGPlugin');
    await apply(kube, { ...plugin, metadata: { name: `${ns}-${name}` } });
    cleanups.push(async () => {
      await remove('/apis/mcpg.dev/v1alpha2/mcpgplugins', `${ns}-${name}`);
    });
    await apply(kube, { ...example('MCPGPluginSet'), metadata: { name, namespace: ns } });
  }

  /**
   * A watch delivers in order: once each source has the marker, it has sent everything before it. A source of
   * the function's own namespace watches the first only.
   */
  async function untilMarkersArrive(kinds: { kind: string; plural: string }[]): Promise<void> {
    for (const ns of [first.name, second.name])
      for (const { plural } of kinds)
        await post(core(ns, plural), meta('marker', { ...WATCHED, ...GATEWAY_CONFIG_LABELS }));
    const lastWatched = (r: Recorded) => (r.source.scope === 'own' ? first.name : second.name);
    await vi.waitFor(
      () => {
        const waiting = recorded.flatMap((r) =>
          kinds
            .filter(({ kind }) => watchedKinds(r).has(kind))
            .filter(({ kind }) => !seen(r, kind, (n) => n === 'marker', lastWatched(r)))
            .map(({ kind }) => `${r.source.name} (${kind})`),
        );
        expect(waiting).toEqual([]);
      },
      { timeout: 30_000, interval: 250 },
    );
  }

  const PROBED = ['ConfigMap', 'Secret', 'Service', 'Pod', 'Role', 'MCPGPlugin', 'MCPGPluginSet'];

  beforeAll(async () => {
    await installCrds(kube);
    all = await wirings();
    const runDir = inject('clusterRunDir');
    for (const wiring of all) {
      const accounts = await serviceAccountsFor(kube, wiring, first.name, runDir);
      cleanups.push(() => accounts.remove());
      await grantWatchedSources(kube, wiring, first.name, [first.name, second.name]);
      for (const source of eventSources(wiring)) {
        const receiver = new EventReceiver();
        const everywhere = source.scope === 'cluster';
        const adapter = await startAdapter({
          ...sourceAdapter(source),
          name: `record-${source.name}-${first.name}`,
          kubeconfig: accounts.sources.get(source.name) ?? '',
          sink: await receiver.listen(),
          allNamespaces: everywhere,
          namespaces: { cluster: [], tenants: [first.name, second.name], own: [first.name] }[source.scope],
          logDir: path.join(runDir, 'logs'),
        });
        recorded.push({ fn: wiring.name, source, receiver, adapter });
      }
    }
    let round = 0;
    await vi.waitFor(
      async () => {
        for (const r of recorded) r.adapter.assertRunning();
        round += 1;
        await probe(round);
        const waiting = recorded.flatMap((r) =>
          PROBED.filter((kind) => watchedKinds(r).has(kind))
            .filter((kind) => !seen(r, kind, (n) => n.includes('probe-')))
            .map((kind) => `${r.source.name} (${kind})`),
        );
        expect(waiting, 'sources not delivering yet').toEqual([]);
      },
      { timeout: 90_000, interval: 1_000 },
    );
  }, 150_000);

  afterAll(async () => {
    for (const r of recorded) {
      await stopAdapter(r.adapter);
      await r.receiver.close();
    }
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('send Secrets and ConfigMaps by reference only, only labelled ones, and never their content', async () => {
    const kinds = [
      { kind: 'Secret', plural: 'secrets', field: 'stringData' },
      { kind: 'ConfigMap', plural: 'configmaps', field: 'data' },
    ];
    for (const ns of [first.name, second.name]) {
      for (const { plural, field } of kinds) {
        for (const [name, labels] of [
          ['plain', {}],
          ['opted', WATCHED],
        ] as const) {
          await post(core(ns, plural), { ...meta(name, labels), [field]: { value: `${CANARY}-1` } });
          await put(core(ns, plural), name, { ...meta(name, labels), [field]: { value: `${CANARY}-2` } });
          await remove(core(ns, plural), name);
        }
      }
    }
    await untilMarkersArrive(kinds);

    const events = recorded.flatMap((r) => r.receiver.events.map((event) => ({ source: r.source.name, event })));
    expect(events.filter(({ event }) => JSON.stringify(event).includes(CANARY))).toEqual([]);
    const sensitive = events.filter(({ event }) => event.kind === 'Secret' || event.kind === 'ConfigMap');
    expect(sensitive.length).toBeGreaterThan(0);
    for (const { source, event } of sensitive) {
      expect(event.type, source).toMatch(/^dev\.knative\.apiserver\.ref\.(add|update|delete)$/);
      for (const key of Object.keys(event.data as object)) expect(REFERENCE_FIELDS, source).toContain(key);
    }
    for (const ns of [first.name, second.name]) {
      expect(sensitive.filter(({ event }) => about('plain', ns)(event))).toEqual([]);
      for (const [name, kind] of [
        ['mcpg-server-watched', 'Secret'],
        ['mcpg-server-watched', 'ConfigMap'],
        ['mcpg-gateway-watched', 'Secret'],
        ['mcpg-supply-chain-watched', 'Secret'],
        ['mcpg-supply-chain-watched', 'ConfigMap'],
      ] as const) {
        const types = sourceOf(name)
          .receiver.events.filter((e) => e.kind === kind && about('opted', ns)(e))
          .map((e) => e.type);
        expect(types, `${name} ${kind} in ${ns}`).toEqual([
          'dev.knative.apiserver.ref.add',
          'dev.knative.apiserver.ref.update',
          'dev.knative.apiserver.ref.delete',
        ]);
      }
    }
    // The supply-chain's source of its own namespace sees that namespace only.
    const own = (ns: string) =>
      sourceOf('mcpg-supply-chain-own').receiver.events.filter((e) => about('opted', ns)(e)).map((e) => e.type);
    expect(own(first.name)).toHaveLength(6);
    expect(own(second.name)).toEqual([]);
    // Sources following gateway ConfigMaps see only those, not ConfigMaps users opted in for other functions.
    for (const name of ['mcpg-gateway-refs', 'mcpg-cluster-refs', 'mcpg-route-refs', 'mcpg-tenant-refs'])
      expect(sourceOf(name).receiver.events.filter((e) => e.kind === 'ConfigMap' && e.name === 'opted')).toEqual([]);
  });

  it("send nothing for a function's own pods and Services, and still send its children", async () => {
    const ns = first.name;
    for (const wiring of all) {
      const service = functionManifests(wiring, { namespace: ns, image: 'unused' }).find(
        (o) => o.kind === 'Service' && o.apiVersion === 'serving.knative.dev/v1',
      ) as { spec: { template: { metadata: { labels: Record<string, string> } } } };
      // As Knative Serving labels a revision's pods and Services.
      const labels = {
        ...service.spec.template.metadata.labels,
        'serving.knative.dev/service': `mcpg-${wiring.name}`,
        'serving.knative.dev/configuration': `mcpg-${wiring.name}`,
        'serving.knative.dev/revision': `mcpg-${wiring.name}-00001`,
      };
      await post(core(ns, 'pods'), { ...meta(`own-${wiring.name}`, labels), spec: POD_SPEC });
      await post(core(ns, 'services'), { ...meta(`own-${wiring.name}`, labels), spec: { ports: [{ port: 80 }] } });
    }
    const children = [
      { parent: 'MCPGServer', plural: 'pods', kind: 'Pod', source: 'mcpg-server' },
      { parent: 'MCPGInstance', plural: 'pods', kind: 'Pod', source: 'mcpg-instance' },
      { parent: 'MCPGServer', plural: 'services', kind: 'Service', source: 'mcpg-server' },
      { parent: 'MCPGInstance', plural: 'services', kind: 'Service', source: 'mcpg-instance' },
      { parent: 'MCPGGateway', plural: 'services', kind: 'Service', source: 'mcpg-gateway' },
    ];
    for (const child of children) {
      const name = `child-of-${child.parent.toLowerCase()}`;
      const body = { ...meta(name, { ...childrenOf(child.parent), [`mcpg.dev/${child.parent.toLowerCase()}`]: 'x' }) };
      await post(
        core(ns, child.plural),
        child.kind === 'Pod' ? { ...body, spec: POD_SPEC } : { ...body, spec: { ports: [{ port: 80 }] } },
      );
    }
    // Each watch delivers in order: once a child created after them has arrived, the function's own did not.
    await vi.waitFor(
      () => {
        for (const child of children)
          expect(
            seen(sourceOf(child.source), child.kind, (n) => n === `child-of-${child.parent.toLowerCase()}`, ns),
            `${child.source} ${child.kind}`,
          ).toBe(true);
      },
      { timeout: 30_000, interval: 250 },
    );
    const own = recorded.flatMap((r) =>
      r.receiver.events
        .filter((e) => String(e.name).startsWith('own-'))
        .map((e) => `${r.source.name}: ${String(e.kind)}/${String(e.name)}`),
    );
    expect(own).toEqual([]);
    // Children reach only the function that renders them.
    expect(seen(sourceOf('mcpg-instance'), 'Pod', (n) => n === 'child-of-mcpgserver')).toBe(false);
    expect(seen(sourceOf('mcpg-server'), 'Pod', (n) => n === 'child-of-mcpginstance')).toBe(false);
    expect(seen(sourceOf('mcpg-server'), 'Service', (n) => n === 'child-of-mcpggateway')).toBe(false);
  });
});
