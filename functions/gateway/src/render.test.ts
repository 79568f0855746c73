import type { KubeObject } from '@mcpg-functions/shared/kube';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderGateway, withInjected } from './render.ts';
import { pluginVolumeName } from './resources/plugin-delivery.ts';
import { gateway, inputs, plugin } from './test-support.ts';
import type { GatewayInputs } from './types.ts';

const render = (spec: Record<string, unknown> = {}, extra: Partial<GatewayInputs> = {}, name = 'gw') => {
  const i = inputs(extra);
  return renderGateway(gateway(spec, name), i, i.plugins);
};
/** A child by kind, for the test to read as the shape it expects. */
const child = (children: KubeObject[], kind: string): unknown => children.find((c) => c.kind === kind);
const podSpec = (children: KubeObject[]) =>
  (child(children, 'Deployment') as { spec: { template: { spec: Record<string, unknown> } } }).spec.template
    .spec;
const configOf = (children: KubeObject[]) =>
  parse(
    (child(children, 'ConfigMap') as { data: Record<string, string> }).data['config.yaml'] ?? '',
  ) as Record<string, unknown>;

describe('the children of a gateway', () => {
  it.each([
    { spec: {}, kinds: ['ConfigMap', 'Service', 'ServiceAccount', 'Deployment'] },
    {
      spec: {
        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
        podDisruptionBudget: { enabled: true },
        networkPolicy: { enabled: true },
        ingress: {
          ingressClassName: 'nginx',
          hosts: [{ host: 'gw.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
        },
      },
      kinds: [
        'ConfigMap',
        'Service',
        'ServiceAccount',
        'Deployment',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'Ingress',
        'NetworkPolicy',
      ],
    },
    {
      spec: { autoscaling: { enabled: false }, podDisruptionBudget: { enabled: false } },
      kinds: ['ConfigMap', 'Service', 'ServiceAccount', 'Deployment'],
    },
  ])('renders $kinds', ({ spec, kinds }) => {
    expect(render(spec).children.map((c) => c.kind)).toEqual(kinds);
  });

  it('renders monitoring objects only when requested and served', () => {
    const spec = { monitoring: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } } };
    expect(render(spec).children.map((c) => c.kind)).not.toContain('ServiceMonitor');
    const served = render(spec, { serves: { serviceMonitor: true, prometheusRule: true } }).children.map(
      (c) => c.kind,
    );
    expect(served).toEqual(expect.arrayContaining(['ServiceMonitor', 'PrometheusRule']));
  });

  it('runs a hardened pod with content hashes that drive rollouts', () => {
    const { children, hashes } = render({}, { revocations: '{"version":1}\n' });
    const pod = podSpec(children);
    expect(pod).toMatchObject({
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          image: 'ghcr.io/mcpg-dev/source-code/gateway:v1.0.0',
          securityContext: {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    });
    const template = (
      child(children, 'Deployment') as {
        spec: { template: { metadata: { annotations: Record<string, string> } } };
      }
    ).spec.template.metadata.annotations;
    expect(template['mcpg.dev/config-hash']).toBe(hashes.config);
    expect(template['mcpg.dev/revocation-list-hash']).toMatch(/^[a-f0-9]{64}$/);
  });

  it('changes the config hash when the config changes and only then', () => {
    const a = render({ config: { gateway: { x: 1 } } }).hashes.config;
    expect(render({ config: { gateway: { x: 1 } } }).hashes.config).toBe(a);
    expect(render({ config: { gateway: { x: 2 } } }).hashes.config).not.toBe(a);
  });

  it('keeps every label value within 63 characters for a long gateway name', () => {
    const name = `gw-${'x'.repeat(240)}`;
    for (const object of render({}, {}, name).children) {
      for (const value of Object.values(object.metadata.labels ?? {}))
        expect(value.length).toBeLessThanOrEqual(63);
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
    }
  });

  it.each([
    { name: 'keeps what runs when autoscaling is switched on', live: 3, want: 3 },
    { name: 'starts a new Deployment at the autoscaler minimum', live: undefined, want: 2 },
    { name: 'stays within the autoscaler range', live: 9, want: 4 },
  ])('leaves replicas to the autoscaler: $name', ({ live, want }) => {
    const spec = { replicas: 1, autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } };
    const deployment = child(render(spec, { liveReplicas: live }).children, 'Deployment') as {
      spec: Record<string, unknown>;
    };
    expect(deployment.spec.replicas).toBe(want);
  });

  it.each([
    { budget: { enabled: true }, want: { maxUnavailable: 1 } },
    { budget: { enabled: true, minAvailable: 2 }, want: { minAvailable: 2 } },
    { budget: { enabled: true, maxUnavailable: '25%' }, want: { maxUnavailable: '25%' } },
  ])('gives a disruption budget $want', ({ budget, want }) => {
    expect(
      (child(render({ podDisruptionBudget: budget }).children, 'PodDisruptionBudget') as { spec: object })
        .spec,
    ).toMatchObject(want);
  });

  it('renders scheduling MCPG left out: tolerations, affinity and topology spread', () => {
    const pod = podSpec(
      render({
        scheduling: {
          tolerations: [{ key: 'dedicated', operator: 'Exists' }],
          affinity: { nodeAffinity: {} },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
          ],
        },
      }).children,
    );
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    expect(pod.affinity).toEqual({ nodeAffinity: {} });
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'gw', 'mcpg.dev/mcpggateway': 'gw' } },
      },
    ]);
  });

  it.each([
    { identity: { aws: { iamRoleArn: 'arn:aws:iam::1:role/gw' } }, key: 'eks.amazonaws.com/role-arn' },
    {
      identity: { gcp: { googleServiceAccount: 'gw@p.iam.gserviceaccount.com' } },
      key: 'iam.gke.io/gcp-service-account',
    },
    { identity: { azure: { clientId: 'c' } }, key: 'azure.workload.identity/client-id' },
  ])('annotates the ServiceAccount for $key', ({ identity, key }) => {
    const sa = child(render({ workloadIdentity: identity }).children, 'ServiceAccount') as
      KubeObject | undefined;
    expect(sa?.metadata.annotations?.[key]).toBeDefined();
  });

  it('drops reserved pod labels', () => {
    const labels = (
      child(render({ podLabels: { team: 'a', 'mcpg.dev/mcpggateway': 'evil' } }).children, 'Deployment') as {
        spec: { template: { metadata: { labels: Record<string, string> } } };
      }
    ).spec.template.metadata.labels;
    expect(labels.team).toBe('a');
    expect(labels['mcpg.dev/mcpggateway']).toBe('gw');
  });
});

describe('plugin delivery without Secrets', () => {
  const plugins = [plugin('dev.mcpg.identity.workload'), plugin('dev.mcpg.audit.stdout')];

  it('pulls each artifact by digest in an init container by default', () => {
    const pod = podSpec(render({}, { plugins, pluginSetBound: true }).children);
    expect(pod.initContainers).toMatchObject([
      {
        name: 'fetch-plugins',
        args: expect.arrayContaining([
          '--digest',
          plugins[0]?.digest,
          '--into',
          '/etc/mcpg/plugins/dev.mcpg.identity.workload',
        ]) as unknown,
      },
    ]);
    expect(pod.volumes).toContainEqual({ name: 'plugins', emptyDir: {} });
    expect(JSON.stringify(pod)).not.toContain('secret');
  });

  it('mounts image volumes when the cluster supports them', () => {
    const settings = { ...inputs().settings, pluginDelivery: { kind: 'image-volume' as const } };
    const pod = podSpec(render({}, { plugins, pluginSetBound: true, settings }).children);
    expect(pod.initContainers).toBeUndefined();
    expect(pod.volumes).toContainEqual({
      name: expect.stringMatching(/^plugin-dev-mcpg-identity-workload-[0-9a-f]{8}$/) as string,
      image: { reference: plugins[0]?.artifact, pullPolicy: 'IfNotPresent' },
    });
  });

  it('gives plugin ids differing only in case or `_`/`-` volumes of their own', () => {
    const ids = ['acme-auth', 'Acme-Auth', 'acme_auth', 'acme.auth'];
    const names = ids.map(pluginVolumeName);
    expect(new Set(names).size).toBe(ids.length);
    expect(names[0]).toBe('plugin-acme-auth');
    for (const name of names) expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it('lists the plugins in order in the config and records the set list in the ConfigMap', () => {
    const { children } = render({}, { plugins, pluginSetBound: true });
    expect((configOf(children).plugins as { id: string }[]).map((p) => p.id)).toEqual(
      plugins.map((p) => p.id),
    );
    const recorded = JSON.parse(
      (child(children, 'ConfigMap') as { data: Record<string, string> }).data['plugins.json'] ?? '[]',
    ) as unknown;
    expect(recorded).toEqual(plugins);
  });

  it('injects the cluster plugin unless the set already loads it', () => {
    const cluster = plugin('dev.mcpg.cluster.redis');
    expect(withInjected(plugins, [cluster]).map((p) => p.id)).toEqual([
      ...plugins.map((p) => p.id),
      cluster.id,
    ]);
    expect(withInjected([...plugins, cluster], [cluster])).toHaveLength(3);
  });
});

describe('the rendered config', () => {
  it('adds the revocation path, the cluster block with credentials, rules and federations over the spec config', () => {
    const { children } = render(
      {
        config: {
          gateway: { server: { bind_address: '0.0.0.0:8787' } },
          cluster: { kind: 'nats' },
          mcp: { federations: [{ name: 'inline', url: 'http://x' }] },
        },
      },
      {
        revocations: '{}',
        clusterBlock: { kind: 'redis', url: 'rediss://r:6380' },
        credentials: [{ name: 'redis-password', secretName: 'redis-auth', key: 'password' }],
        toolAccess: [{ tool: 'orders.list', predicates: ['identity.attributes.tenant == "a"'] }],
        federations: [
          { name: 'inline', url: 'http://ignored', toolPrefix: 'inline.' },
          { name: 'tools', url: 'http://tools.mcpg.svc.cluster.local:8080/mcp', toolPrefix: 'tools.' },
        ],
      },
    );
    const config = configOf(children);
    expect(config).toMatchObject({
      gateway: {
        server: { bind_address: '0.0.0.0:8787' },
        plugin_registry: { revocation_list_path: '/etc/mcpg/revocations/list.json' },
      },
      cluster: {
        kind: 'redis',
        url: 'rediss://r:6380',
        credentials: {
          'redis-password': {
            uri: 'cred://cluster/redis-password',
            file: '/etc/mcpg/credentials/cluster/redis-password',
          },
        },
      },
      governance: {
        policy: {
          tool_access: {
            rules: [
              {
                tool_name: 'orders.list',
                minimum_trust: 'verified',
                cel_allow_if: '(identity.attributes.tenant == "a")',
              },
            ],
          },
        },
      },
      mcp: {
        federations: [
          { name: 'inline', url: 'http://x' },
          { name: 'tools', url: 'http://tools.mcpg.svc.cluster.local:8080/mcp', tool_prefix: 'tools.' },
        ],
      },
    });
    expect(JSON.stringify(podSpec(children).volumes)).toContain('redis-auth');
  });

  it('keeps the config’s own plugins when no plugin set is bound', () => {
    const { children } = render(
      { config: { plugins: [{ id: 'own' }] } },
      { plugins: [plugin('dev.mcpg.cluster.redis')] },
    );
    expect((configOf(children).plugins as { id: string }[]).map((p) => p.id)).toEqual([
      'own',
      'dev.mcpg.cluster.redis',
    ]);
  });
});
