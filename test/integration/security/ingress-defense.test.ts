import { kubeRequest } from '@mcpg-functions/shared/kube';
import { describe, expect, it, vi } from 'vitest';
import { useNamespace } from '../support/cluster.ts';
import { apply } from '../support/crds.ts';
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
