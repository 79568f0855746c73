import { randomBytes } from 'node:crypto';
import { wiring } from '@mcpg-functions/gateway/wiring';
import { WATCHED } from '@mcpg-functions/shared/knative';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource, type FunctionUnderTest } from '../support/event-source.ts';
import type { RunningFunction } from '../support/function-process.ts';
import {
  digestOf,
  exampleResolved,
  gatewayIn,
  named,
  notReady,
  pluginSetIn,
  READY,
  resolvedEntry,
  routeIn,
  setStatus,
} from './fixtures.ts';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}
interface Gateway {
  status?: { conditions?: Condition[]; readyReplicas?: number; configHash?: string };
}
interface Child {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown> & {
    replicas?: number;
    template?: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> };
  };
}

// The gateway function as it runs in a cluster: its own process, fed by Knative's real ApiServerSource
// adapter (every namespace: routes cross namespaces and clusters, lists and plugins are cluster-scoped).
describe('the gateway function, driven by the real event source', () => {
  const ns = useNamespace('gw-fn');
  const teamA = useNamespace('gw-team-a');
  const teamB = useNamespace('gw-team-b');
  const kube = clients();
  const suffix = randomBytes(3).toString('hex');
  let running: FunctionUnderTest;
  let fn: RunningFunction;

  const read = <T>(path: string) => kubeRequest<T>(kube.config, { method: 'GET', path });
  const gatewayPath = (name: string) => `/apis/mcpg.dev/v1alpha2/namespaces/${ns.name}/mcpggateways/${name}`;
  const readGateway = (name: string) => read<Gateway>(gatewayPath(name));
  const condition = async (name: string, type: string) =>
    (await readGateway(name)).status?.conditions?.find((c) => c.type === type);
  const configMap = (gw: string) => read<Child>(`/api/v1/namespaces/${ns.name}/configmaps/${gw}-config`);
  const deployment = (gw: string) =>
    read<Child>(`/apis/apps/v1/namespaces/${ns.name}/deployments/${gw}-gateway`);
  const exists = (path: string) =>
    read(path).then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: number }).code === 404) return false;
        throw error;
      },
    );
  const configOf = async (gw: string) =>
    parse((await configMap(gw)).data?.['config.yaml'] ?? '') as Record<string, unknown> & {
      plugins?: { id: string }[];
      governance?: { policy: { tool_access: { rules: { tool_name: string; cel_allow_if: string }[] } } };
      cluster?: Record<string, unknown>;
      mcp?: unknown;
    };
  /** Applies a gateway and resyncs: the resync is how a gateway spec change is noticed (see the wiring). */
  const applyGateway = async (gateway: Parameters<typeof apply>[1]) => {
    await apply(kube, gateway);
    expect(await fn.ping()).toBe(204);
  };
  const eventually = <T>(check: () => Promise<T>, timeout = 45_000) =>
    vi.waitFor(check, { timeout, interval: 250 });

  beforeAll(async () => {
    await installCrds(kube);
    running = await startWithEventSource({
      name: 'gateway',
      clients: kube,
      namespace: ns.name,
      wiring,
      allNamespaces: true,
      // Gateway events cannot be delivered (see the wiring), so the probe is seen through its plugin set.
      probe: {
        create: async (name) => {
          await apply(
            kube,
            gatewayIn(ns.name, name, { autoscaling: undefined, replicas: 1, pluginSetRef: { name } }),
          );
          await apply(kube, pluginSetIn(ns.name, name));
        },
        reconciled: async (name) => (await readGateway(name)).status?.conditions !== undefined,
        remove: async (name) => {
          await kubeRequest(kube.config, { method: 'DELETE', path: gatewayPath(name) });
          await kubeRequest(kube.config, {
            method: 'DELETE',
            path: `/apis/mcpg.dev/v1alpha2/namespaces/${ns.name}/mcpgpluginsets/${name}`,
          });
        },
      },
    });
    fn = running.fn;
  }, 90_000);

  afterAll(async () => {
    await running.stop();
  });

  it('renders the example fleet: plugins by digest, route rules, autoscaler, and Ready at the autoscaler’s count', async () => {
    const set = await apply(kube, pluginSetIn(ns.name, 'production'));
    await setStatus(kube.config, set, { conditions: [READY], resolved: exampleResolved() });
    await applyGateway(
      gatewayIn(ns.name, 'gw', {
        acceptedRouteNamespaces: [teamA.name],
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
      }),
    );
    await apply(kube, routeIn(teamA.name, 'team-a-orders', { namespace: ns.name, name: 'gw' }));
    // A route from a namespace the gateway does not accept is not folded in.
    await apply(
      kube,
      routeIn(
        teamB.name,
        'team-b-orders',
        { namespace: ns.name, name: 'gw' },
        { match: { tools: [{ id: 'orders.delete' }] }, attributes: { tenant: 'team-b' } },
      ),
    );
    const ready = await eventually(async () => {
      expect(await condition('gw', 'Ready')).toMatchObject({
        status: 'True',
        reason: 'AllReplicasAvailable',
      });
      return readGateway('gw');
    }, 60_000);
    expect(ready.status?.readyReplicas).toBe(3);
    // The route arrives by its own event, which may come after the replicas are ready.
    await eventually(async () => {
      const config = await configOf('gw');
      expect(config.plugins?.map((p) => p.id)).toEqual(exampleResolved().map((p) => p.id));
      expect(config.governance?.policy.tool_access.rules).toEqual([
        {
          tool_name: 'orders.get',
          minimum_trust: 'verified',
          cel_allow_if: '(identity.attributes.tenant == "team-a")',
        },
        {
          tool_name: 'orders.list',
          minimum_trust: 'verified',
          cel_allow_if: '(identity.attributes.tenant == "team-a")',
        },
      ]);
    });
    const pod = (await deployment('gw')).spec?.template?.spec as {
      initContainers: { args: string[] }[];
      containers: { securityContext: Record<string, unknown> }[];
    };
    expect(pod.initContainers[0]?.args).toEqual(
      expect.arrayContaining(exampleResolved().map((p) => p.digest)),
    );
    expect(pod.containers[0]?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(
      await exists(`/apis/autoscaling/v2/namespaces/${ns.name}/horizontalpodautoscalers/gw-gateway`),
    ).toBe(true);
    expect(await exists(`/apis/policy/v1/namespaces/${ns.name}/poddisruptionbudgets/gw-gateway`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${ns.name}/services/gw`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${ns.name}/serviceaccounts/gw-gateway`)).toBe(true);
  });

  it('renders the rule with the identity attribute of the tenant that owns the route’s namespace', async () => {
    await apply(kube, {
      ...named('MCPGTenant', `tenant-${suffix}`, {
        namespaces: [teamA.name],
        identityAttribute: { key: 'org', value: 'acme "inc"' },
      }),
    });
    await eventually(async () => {
      expect((await configOf('gw')).governance?.policy.tool_access.rules.map((r) => r.cel_allow_if)).toEqual([
        '(identity.attributes.org == "acme \\"inc\\"")',
        '(identity.attributes.org == "acme \\"inc\\"")',
      ]);
    });
  });

  it('deletes the autoscaler and disruption budget when they are turned off, and sets replicas again', async () => {
    await applyGateway(
      gatewayIn(ns.name, 'gw', {
        acceptedRouteNamespaces: [teamA.name],
        autoscaling: { enabled: false },
        replicas: 2,
      }),
    );
    await eventually(async () => {
      expect(
        await exists(`/apis/autoscaling/v2/namespaces/${ns.name}/horizontalpodautoscalers/gw-gateway`),
      ).toBe(false);
      expect(await exists(`/apis/policy/v1/namespaces/${ns.name}/poddisruptionbudgets/gw-gateway`)).toBe(
        false,
      );
      expect((await deployment('gw')).spec?.replicas).toBe(2);
    });
  });

  it('keeps the last good plugin list and reports Degraded when the plugin set turns unready', async () => {
    const before = await deployment('gw');
    const hash = before.spec?.template?.metadata.annotations['mcpg.dev/config-hash'];
    await setStatus(
      kube.config,
      { kind: 'MCPGPluginSet', metadata: { name: 'production', namespace: ns.name } },
      {
        conditions: [notReady('dev.mcpg.policy.opa: PluginRevoked')],
        resolved: null,
      },
    );
    await eventually(async () => {
      expect(await condition('gw', 'PluginSetReady')).toMatchObject({
        status: 'False',
        reason: 'PluginSetNotReady',
      });
      expect(await condition('gw', 'Degraded')).toMatchObject({
        status: 'True',
        reason: 'PluginSetNotReady',
      });
    });
    expect((await configOf('gw')).plugins?.map((p) => p.id)).toEqual(exampleResolved().map((p) => p.id));
    expect((await deployment('gw')).spec?.template?.metadata.annotations['mcpg.dev/config-hash']).toBe(hash);
    await setStatus(
      kube.config,
      { kind: 'MCPGPluginSet', metadata: { name: 'production', namespace: ns.name } },
      {
        conditions: [READY],
        resolved: exampleResolved(),
      },
    );
    await eventually(async () => {
      expect(await condition('gw', 'Degraded')).toMatchObject({ status: 'False' });
    });
  });

  it('stops cleanly, rendering nothing, when an explicitly named revocation list is missing', async () => {
    await applyGateway(
      gatewayIn(ns.name, 'strict', {
        pluginSetRef: undefined,
        autoscaling: undefined,
        revocationListRef: { name: `missing-${suffix}` },
      }),
    );
    await eventually(async () => {
      expect(await condition('strict', 'Ready')).toMatchObject({
        status: 'False',
        reason: 'RevocationListNotFound',
      });
    });
    expect(await exists(`/apis/apps/v1/namespaces/${ns.name}/deployments/strict-gateway`)).toBe(false);
    await apply(kube, named('MCPGRevocationList', `missing-${suffix}`));
    await eventually(async () => {
      const mounted = JSON.stringify((await deployment('strict')).spec?.template?.spec);
      expect(mounted).toContain('/etc/mcpg/revocations');
    });
  });

  it('renders what MCPG accepted but never rendered: Ingress, NetworkPolicy, tolerations, affinity, spread', async () => {
    await applyGateway(
      gatewayIn(ns.name, 'edge', {
        pluginSetRef: undefined,
        autoscaling: undefined,
        ingress: {
          ingressClassName: 'nginx',
          hosts: [{ host: 'gw.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
        },
        networkPolicy: {
          enabled: true,
          extraIngressFrom: [{ namespaceSelector: { matchLabels: { team: 'a' } } }],
        },
        scheduling: {
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gateways', effect: 'NoSchedule' }],
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
          ],
        },
      }),
    );
    await eventually(async () => {
      const ingress = await read<{ spec: { rules: { host: string }[] } }>(
        `/apis/networking.k8s.io/v1/namespaces/${ns.name}/ingresses/edge`,
      );
      expect(ingress.spec.rules[0]?.host).toBe('gw.example.com');
      const policy = await read<{ spec: { policyTypes: string[]; ingress: { from: unknown[] }[] } }>(
        `/apis/networking.k8s.io/v1/namespaces/${ns.name}/networkpolicies/edge`,
      );
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.ingress[0]?.from).toEqual([{ namespaceSelector: { matchLabels: { team: 'a' } } }]);
      const pod = (await deployment('edge')).spec?.template?.spec as {
        tolerations: unknown[];
        topologySpreadConstraints: unknown[];
      };
      expect(pod.tolerations).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'gateways', effect: 'NoSchedule' },
      ]);
      expect(pod.topologySpreadConstraints).toHaveLength(1);
    });
  });

  it('reports monitoring it cannot render instead of failing', async () => {
    await applyGateway(
      gatewayIn(ns.name, 'watched', {
        pluginSetRef: undefined,
        autoscaling: undefined,
        monitoring: { serviceMonitor: { enabled: true } },
      }),
    );
    await eventually(async () => {
      expect(await condition('watched', 'MonitoringReady')).toMatchObject({
        status: 'False',
        reason: 'MonitoringAPIMissing',
      });
      expect(await exists(`/apis/apps/v1/namespaces/${ns.name}/deployments/watched-gateway`)).toBe(true);
    });
  });

  describe('re-renders exactly the gateways a change affects', () => {
    const cluster = `redis-${suffix}`;
    const list = `strict-list-${suffix}`;
    const fleet = ['one', 'two', 'three'];
    // The ConfigMap's resourceVersion and the Deployment's generation move only when the function writes them
    // (the Deployment's resourceVersion also moves with its status as pods roll).
    const versions = async () =>
      Object.fromEntries(
        await Promise.all(
          fleet.map(async (gw) => [
            gw,
            `${(await configMap(gw)).metadata.resourceVersion}/${(await deployment(gw)).metadata.generation ?? 0}`,
          ]),
        ),
      ) as Record<string, string>;
    /** Waits until `changed` is re-rendered, then checks that the other gateways' objects were not written. */
    async function onlyChanges(changed: string, edit: () => Promise<unknown>) {
      const before = await versions();
      await edit();
      await eventually(async () => {
        expect((await versions())[changed]).not.toBe(before[changed]);
      });
      // Give any wrongly mapped reconcile time to land before checking nothing else moved.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const after = await versions();
      for (const gw of fleet.filter((g) => g !== changed))
        expect(after[gw], `${gw} was rewritten`).toBe(before[gw]);
    }

    beforeAll(async () => {
      const other = await apply(kube, pluginSetIn(ns.name, 'other'));
      await setStatus(kube.config, other, {
        conditions: [READY],
        resolved: [resolvedEntry('dev.mcpg.audit.stdout', 'audit-stdout-1-0-0')],
      });
      await apply(kube, named('MCPGRevocationList', list));
      await apply(kube, named('MCPGPlugin', `cluster-redis-${suffix}`));
      await setStatus(
        kube.config,
        { kind: 'MCPGPlugin', metadata: { name: `cluster-redis-${suffix}` } },
        {
          conditions: [READY],
          artifact: `registry.example/plugins/cluster-redis@${digestOf('redis')}`,
        },
      );
      await kube.core.createNamespacedSecret({
        namespace: ns.name,
        body: { metadata: { name: 'redis-auth', labels: WATCHED }, stringData: { password: 'one' } },
      });
      await apply(kube, named('MCPGCluster', cluster, { pluginRef: { name: `cluster-redis-${suffix}` } }));
      await setStatus(
        kube.config,
        { kind: 'MCPGCluster', metadata: { name: cluster } },
        { conditions: [READY], pluginId: 'dev.mcpg.cluster.redis' },
      );
      const base = { autoscaling: undefined, replicas: 1 };
      await applyGateway(
        gatewayIn(ns.name, 'one', {
          ...base,
          pluginSetRef: { name: 'production' },
          revocationListRef: { name: list },
        }),
      );
      await applyGateway(
        // Autoscaled with a disruption budget, so the no-op resync below covers those children too (without
        // metrics the autoscaler keeps its minimum, so the Deployment's generation stays put).
        gatewayIn(ns.name, 'two', {
          ...base,
          pluginSetRef: { name: 'other' },
          autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 2 },
          podDisruptionBudget: { enabled: true, maxUnavailable: '50%' },
        }),
      );
      await applyGateway(
        gatewayIn(ns.name, 'three', { ...base, pluginSetRef: undefined, clusterRef: { name: cluster } }),
      );
      await apply(kube, routeIn(ns.name, 'to-one', { namespace: ns.name, name: 'one' }));
      await eventually(async () => {
        for (const gw of fleet) expect(await condition(gw, 'Ready')).toMatchObject({ status: 'True' });
      }, 60_000);
    }, 90_000);

    it('binds the cluster: its block, its plugin injected and its credential projected as a file', async () => {
      const config = await configOf('three');
      expect(config.cluster).toMatchObject({ kind: 'redis', url: 'rediss://redis.mcpg.svc:6380' });
      expect(config.plugins?.map((p) => p.id)).toEqual(['dev.mcpg.cluster.redis']);
      const volumes = JSON.stringify((await deployment('three')).spec?.template?.spec);
      expect(volumes).toContain(
        '"secret":{"name":"redis-auth","items":[{"key":"password","path":"redis-password"}]}',
      );
    });

    it('a route edit re-renders only its gateway', async () => {
      await onlyChanges('one', () =>
        apply(
          kube,
          routeIn(
            ns.name,
            'to-one',
            { namespace: ns.name, name: 'one' },
            { match: { tools: [{ id: 'orders.refund' }] } },
          ),
        ),
      );
      const rules = (await configOf('one')).governance?.policy.tool_access.rules.map((r) => r.tool_name);
      expect(rules).toEqual(['orders.refund']);
    });

    it('a route moving to another gateway re-renders both, and the old one drops its rules', async () => {
      await apply(
        kube,
        routeIn(
          ns.name,
          'to-one',
          { namespace: ns.name, name: 'two' },
          { match: { tools: [{ id: 'orders.refund' }] } },
        ),
      );
      await eventually(async () => {
        expect((await configOf('one')).governance).toBeUndefined();
        expect((await configOf('two')).governance?.policy.tool_access.rules.map((r) => r.tool_name)).toEqual([
          'orders.refund',
        ]);
      });
    });

    it('a plugin set edit re-renders only the gateways using it', async () => {
      await onlyChanges('two', () =>
        setStatus(
          kube.config,
          { kind: 'MCPGPluginSet', metadata: { name: 'other', namespace: ns.name } },
          {
            resolved: [resolvedEntry('dev.mcpg.audit.stdout', 'audit-stdout-1-0-1')],
          },
        ),
      );
    });

    it('a revocation list edit re-renders only the gateways enforcing it', async () => {
      await onlyChanges('one', () =>
        apply(
          kube,
          named('MCPGRevocationList', list, {
            revocations: [{ artifactSha256: 'ab'.repeat(32), reason: 'test' }],
          }),
        ),
      );
    });

    it('a cluster edit and a credential rotation re-render only the bound gateway', async () => {
      await onlyChanges('three', () =>
        apply(
          kube,
          named('MCPGCluster', cluster, {
            pluginRef: { name: `cluster-redis-${suffix}` },
            config: { url: 'rediss://other:6380' },
          }),
        ),
      );
      await onlyChanges('three', () =>
        kube.core.replaceNamespacedSecret({
          name: 'redis-auth',
          namespace: ns.name,
          body: { metadata: { name: 'redis-auth', labels: WATCHED }, stringData: { password: 'two' } },
        }),
      );
    });

    it('a server asking to be federated re-renders only the gateway it names', async () => {
      await onlyChanges('three', () =>
        apply(kube, {
          apiVersion: 'mcpg.dev/v1alpha2',
          kind: 'MCPGServer',
          metadata: { name: 'tools', namespace: ns.name },
          spec: { image: 'ghcr.io/example/tools:1.0.0', federate: { gatewayRef: { name: 'three' } } },
        }),
      );
      expect((await configOf('three')).mcp).toMatchObject({
        federations: [
          { name: 'tools', url: `http://tools.${ns.name}.svc.cluster.local:8080/mcp`, tool_prefix: 'tools.' },
        ],
      });
    });

    it('restores an edited config ConfigMap, of which its event carries only a reference', async () => {
      const rendered = (await configMap('two')).data?.['config.yaml'];
      const tamper = [{ op: 'replace', path: '/data/config.yaml', value: 'tampered: true' }];
      await kube.core.patchNamespacedConfigMap({ name: 'two-config', namespace: ns.name, body: tamper });
      await eventually(async () => {
        expect((await configMap('two')).data?.['config.yaml']).toBe(rendered);
      });
    });

    it('makes no API write when a resync finds nothing changed', async () => {
      expect(await fn.ping()).toBe(204);
      await eventually(async () => {
        const before = await fn.metric('mcpg_kube_api_requests', { verb: 'write' });
        expect(await fn.ping()).toBe(204);
        expect(await fn.metric('mcpg_kube_api_requests', { verb: 'write' })).toBe(before);
      });
    });
  });
});
