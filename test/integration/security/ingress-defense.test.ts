import { wiring as gatewayWiring } from '@mcpg-functions/gateway/wiring';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gatewayIn, pluginSetIn } from '../gateway/fixtures.ts';
import { useNamespace } from '../support/cluster.ts';
import { apply } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';
import { useServerFunction, type ServerView } from '../support/server-function.ts';

interface IngressList {
  items: { metadata: { name: string; namespace: string }; spec: { rules?: { host?: string }[] } }[];
}

// No webhook runs here: as when it is bypassed (failurePolicy Ignore while it is down) or the objects predate the
// operator's settings. The server function, fed by Knative's adapter and holding only its generated RBAC, applies
// the operator's Ingress settings and the host claims itself on every pass.
describe('the server function renders only Ingresses the operator allows, one per host', () => {
  const rival = useNamespace('ingress-rival');
  const bed = useServerFunction('ingress-own', {
    env: { MCPG_INGRESS_CLASSES: 'public' },
    moreNamespaces: [rival.name],
  });
  const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 45_000, interval: 250 });

  const ingressCondition = async (name: string, namespace = bed.namespace) => {
    const server = await kubeRequest<ServerView>(bed.kube.config, {
      method: 'GET',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace}/mcpgservers/${name}`,
    });
    return server.status?.conditions?.find((c) => c.type === 'IngressReady');
  };
  const ingresses = async (namespace: string) =>
    (
      await kubeRequest<IngressList>(bed.kube.config, {
        method: 'GET',
        path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`,
      })
    ).items;
  const serving = async (host: string) =>
    (await Promise.all([bed.namespace, rival.name].map(ingresses)))
      .flat()
      .filter((i) => i.spec.rules?.some((r) => r.host === host))
      .map((i) => `${i.metadata.namespace}/${i.metadata.name}`);

  it('leaves out an Ingress with a class or annotation the operator forbids, naming the field and the fix', async () => {
    await apply(
      bed.kube,
      bed.server('snippets', {
        ingress: {
          host: 'snippets.example.com',
          className: 'private',
          annotations: { 'nginx.ingress.kubernetes.io/configuration-snippet': 'return 200;' },
        },
      }),
    );
    const refused = await eventually(async () => {
      const found = await ingressCondition('snippets');
      expect(found?.reason).toBe('IngressNotAllowed');
      return found;
    });
    expect(refused?.message).toContain(
      'spec.ingress.className must be one of the IngressClasses the operator allows: public (got "private")',
    );
    expect(refused?.message).toContain(
      'spec.ingress.annotations["nginx.ingress.kubernetes.io/configuration-snippet"] matches the denied pattern "*snippet*", so the operator does not let MCPG objects set it; remove it, or ask the operator to allow it',
    );
    expect(await ingresses(bed.namespace)).toEqual([]);

    // Fixed, it is rendered; a forbidden annotation added later takes the rendered Ingress away again.
    await apply(
      bed.kube,
      bed.server('snippets', { ingress: { host: 'snippets.example.com', className: 'public' } }),
    );
    await eventually(async () => {
      expect(await serving('snippets.example.com')).toEqual([`${bed.namespace}/snippets`]);
    });
    await apply(
      bed.kube,
      bed.server('snippets', {
        ingress: {
          host: 'snippets.example.com',
          className: 'public',
          annotations: { 'nginx.ingress.kubernetes.io/auth-url': 'http://elsewhere.example/' },
        },
      }),
    );
    await eventually(async () => {
      expect(await serving('snippets.example.com')).toEqual([]);
      expect((await ingressCondition('snippets'))?.reason).toBe('IngressNotAllowed');
    });
  });

  it('gives a host two namespaces ask for at once to exactly one of them; the other says who holds it', async () => {
    const host = 'race.example.com';
    const ask = (namespace: string) =>
      apply(bed.kube, {
        ...bed.server('racer', { ingress: { host, className: 'public' } }),
        metadata: { name: 'racer', namespace },
      });
    await Promise.all([ask(bed.namespace), ask(rival.name)]);
    const [winner] = await eventually(async () => {
      const found = await serving(host);
      expect(found).toHaveLength(1);
      return found;
    });
    const winnerNamespace = winner?.split('/')[0] ?? '';
    const loser = winnerNamespace === bed.namespace ? rival.name : bed.namespace;
    const conflict = await eventually(async () => {
      const found = await ingressCondition('racer', loser);
      expect(found?.reason).toBe('HostConflict');
      return found;
    });
    expect(conflict?.message).toBe(
      `no Ingress is rendered: spec.ingress.host "${host}" is already served for namespace ${winnerNamespace} by MCPGServer racer, which asked first; choose another host, or have it released there first`,
    );
    // Every later pass agrees: a resync changes nothing.
    expect(await bed.running.fn.ping()).toBe(204);
    expect(await serving(host)).toEqual([winner]);

    // Once the holder lets it go, the next pass gives the host to the other.
    await kubeRequest(bed.kube.config, {
      method: 'DELETE',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${winnerNamespace}/mcpgservers/racer`,
    });
    await eventually(async () => {
      expect(await bed.running.fn.ping()).toBe(204);
      expect(await serving(host)).toEqual([`${loser}/racer`]);
    });
  });
});

// The gateway function applies the same settings and the same host claims, across kinds: a gateway asking for a
// host a server in another namespace asked for first gets no Ingress. Gateway events cannot be delivered (see its
// wiring), so its passes come from the resync ping, as in a cluster between plugin-set changes.
describe('the gateway function renders only Ingresses the operator allows, one per host', () => {
  const rival = useNamespace('gw-ingress-rival');
  const bed = useServerFunction('gw-ingress-own', { env: { MCPG_INGRESS_CLASSES: 'public' } });
  let gateway: FunctionUnderTest;
  const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 45_000, interval: 500 });
  const gatewayPath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${rival.name}/mcpggateways/${name}`;
  const allowed = async (name: string) => {
    const found = await kubeRequest<ServerView>(bed.kube.config, { method: 'GET', path: gatewayPath(name) });
    return found.status?.conditions?.find((c) => c.type === 'IngressAllowed');
  };
  const ingressOf = (name: string) =>
    kubeRequest(bed.kube.config, {
      method: 'GET',
      path: `/apis/networking.k8s.io/v1/namespaces/${rival.name}/ingresses/${name}`,
    }).then(
      () => true,
      () => false,
    );
  const asking = (name: string, host: string, more: Record<string, unknown> = {}) =>
    gatewayIn(rival.name, name, {
      autoscaling: undefined,
      replicas: 1,
      ingress: {
        ingressClassName: 'public',
        hosts: [{ host, paths: [{ path: '/', pathType: 'Prefix' }] }],
        ...more,
      },
    });

  beforeAll(async () => {
    gateway = await startWithEventSource({
      name: 'gateway',
      clients: bed.kube,
      namespace: rival.name,
      wiring: gatewayWiring,
      env: { MCPG_INGRESS_CLASSES: 'public' },
      probe: {
        create: async (name) => {
          await apply(
            bed.kube,
            gatewayIn(rival.name, name, { autoscaling: undefined, replicas: 1, pluginSetRef: { name } }),
          );
          await apply(bed.kube, pluginSetIn(rival.name, name));
        },
        reconciled: async (name) =>
          (await kubeRequest<ServerView>(bed.kube.config, { method: 'GET', path: gatewayPath(name) })).status
            ?.conditions !== undefined,
        remove: async (name) => {
          await kubeRequest(bed.kube.config, { method: 'DELETE', path: gatewayPath(name) });
          await kubeRequest(bed.kube.config, {
            method: 'DELETE',
            path: `/apis/mcpg.dev/v1alpha2/namespaces/${rival.name}/mcpgpluginsets/${name}`,
          });
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await gateway.stop();
  });

  it('leaves out an Ingress a server in another namespace asked for first, or one the operator forbids', async () => {
    await apply(
      bed.kube,
      bed.server('first', { ingress: { host: 'shared.example.com', className: 'public' } }),
    );
    const first = await eventually(async () => {
      const found = await bed.read('first');
      expect(found.status?.conditions?.find((c) => c.type === 'IngressReady')?.reason).toBe(
        'NoLoadBalancerAddress',
      );
      return found;
    });
    // Creation times have one-second resolution, and claims made in the same second are ordered by kind, so
    // "asked first" means a later second here.
    const created = Date.parse(first.metadata.creationTimestamp ?? '');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, created + 1_100 - Date.now())));
    await apply(bed.kube, asking('late', 'shared.example.com'));
    await apply(
      bed.kube,
      asking('snippets', 'snippets.example.com', {
        annotations: { 'nginx.ingress.kubernetes.io/server-snippet': 'return 200;' },
      }),
    );
    await apply(bed.kube, asking('own', 'own.example.com'));
    await eventually(async () => {
      expect(await gateway.fn.ping()).toBe(204);
      expect(await allowed('own')).toMatchObject({ status: 'True', reason: 'Allowed' });
      expect(await allowed('late')).toMatchObject({
        status: 'False',
        reason: 'HostConflict',
        message: `no Ingress is rendered: spec.ingress.hosts[0].host "shared.example.com" is already served for namespace ${bed.namespace} by MCPGServer first, which asked first; choose another host, or have it released there first`,
      });
      expect((await allowed('snippets'))?.reason).toBe('IngressNotAllowed');
    });
    expect(await ingressOf('own')).toBe(true);
    expect(await ingressOf('late')).toBe(false);
    expect(await ingressOf('snippets')).toBe(false);
  });
});
