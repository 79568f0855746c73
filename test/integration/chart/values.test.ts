import { beforeAll, describe, expect, it, vi } from 'vitest';
import { clients } from '../support/cluster.ts';
import { dryRunApply, installKnativeCrds } from '../support/knative-crds.ts';
import { names, podOf, PROVIDED_TLS, render } from './render.ts';

const FUNCTIONS = ['server', 'cluster', 'gateway', 'instance', 'plugin-set', 'route', 'supply-chain', 'tenant'];
const DIGEST = `sha256:${'d'.repeat(64)}`;
const ZONE_A = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
    },
  },
};

// The chart's values as Helm's conventions have them, rendered with the real helm binary; what the pod settings
// render is accepted by the real API server (with Knative's CRDs installed).
describe('the Helm chart’s values', () => {
  const kube = clients();
  beforeAll(async () => {
    await installKnativeCrds(kube);
  });

  it.each<{ name: string; set: Record<string, string>; message: RegExp }>([
    {
      name: 'a resync schedule that is not cron',
      set: { 'functions.server.resyncSchedule': 'every five minutes' },
      message: /functions\/server\/resyncSchedule.*does not match pattern/s,
    },
    {
      name: 'a maxScale that is not a number',
      set: { 'functions.gateway.maxScale': 'lots' },
      message: /functions\/gateway\/maxScale.*want integer/s,
    },
    {
      name: 'a negative maxScale',
      set: { 'functions.route.maxScale': '-1' },
      message: /functions\/route\/maxScale.*minimum/s,
    },
    {
      name: 'a webhook failure policy Kubernetes does not know',
      set: { 'admission.failurePolicy': 'Sometimes' },
      message: /admission\/failurePolicy.*'Fail', 'Ignore'/s,
    },
    {
      name: 'the old kebab-case function keys',
      set: { 'functions.plugin-set.enabled': 'false' },
      message: /additional properties? 'plugin-set' not allowed/,
    },
    {
      name: 'a resync deadline past the 120 s request timeout',
      set: { 'functions.server.resyncDeadlineSeconds': '300' },
      message: /functions\/server\/resyncDeadlineSeconds.*maximum/s,
    },
    {
      name: 'a shutdown grace period of no time',
      set: { 'functionDefaults.shutdownGraceSeconds': '0' },
      message: /functionDefaults\/shutdownGraceSeconds.*minimum/s,
    },
    {
      name: 'an image digest that is not one',
      set: { 'functions.server.image.digest': 'latest' },
      message: /functions\/server\/image\/digest.*does not match pattern/s,
    },
  ])('refuses $name with the schema’s message', async ({ set, message }) => {
    await expect(render({ ...PROVIDED_TLS, ...set })).rejects.toThrow(message);
  });

  it('puts the pull secrets and pull policy on every function and the webhook', async () => {
    const { objects } = await render(
      { ...PROVIDED_TLS, 'image.pullPolicy': 'Always', 'functions.route.image.pullPolicy': 'Never' },
      [],
      { imagePullSecrets: [{ name: 'registry-credentials' }] },
    );
    const pods = [
      ...FUNCTIONS.map((fn) => podOf(objects, 'Service', `mcpg-${fn}`)),
      podOf(objects, 'Deployment', 'mcpg-admission'),
    ];
    for (const pod of pods) expect(pod.spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    const policies = FUNCTIONS.map((fn) => podOf(objects, 'Service', `mcpg-${fn}`).spec.containers[0]?.imagePullPolicy);
    expect(policies).toEqual(FUNCTIONS.map((fn) => (fn === 'route' ? 'Never' : 'Always')));
  });

  it('takes a function’s own image repository, tag or digest', async () => {
    const { objects } = await render({
      ...PROVIDED_TLS,
      'functions.server.image.repository': 'mirror/mcpg-server',
      'functions.server.image.tag': '1.2.3',
      'functions.tenant.image.digest': DIGEST,
      'functions.tenant.image.tag': 'ignored',
      'admission.image.digest': DIGEST,
    });
    const image = (kind: string, name: string) => podOf(objects, kind, name).spec.containers[0]?.image;
    expect(image('Service', 'mcpg-server')).toBe('ghcr.io/mirror/mcpg-server:1.2.3');
    expect(image('Service', 'mcpg-tenant')).toBe(`ghcr.io/mcpg-dev/mcpg-functions/tenant@${DIGEST}`);
    expect(image('Service', 'mcpg-route')).toBe('ghcr.io/mcpg-dev/mcpg-functions/route:0.1.0');
    expect(image('Deployment', 'mcpg-admission')).toBe(`ghcr.io/mcpg-dev/mcpg-functions/admission@${DIGEST}`);
  });

  it('runs a function as the ServiceAccount its values name, annotated for workload identity', async () => {
    const { objects } = await render(PROVIDED_TLS, [], {
      'functions.supplyChain.serviceAccount': { annotations: { 'iam.gke.io/gcp-service-account': 'puller@p.iam' } },
      'functions.gateway.serviceAccount': { create: false, name: 'platform-gateway' },
    });
    const account = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'mcpg-supply-chain');
    expect(account?.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'puller@p.iam' });
    expect(podOf(objects, 'Service', 'mcpg-gateway').spec.serviceAccountName).toBe('platform-gateway');
    expect(names(objects)).not.toContain('ServiceAccount/mcpg-gateway');
    const binding = objects.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'mcpg-gateway');
    expect(binding?.subjects?.[0]?.name).toBe('platform-gateway');
  });

  it('leaves every ClusterRole and binding to you with rbac.create=false', async () => {
    const { objects } = await render({ ...PROVIDED_TLS, 'rbac.create': 'false' });
    expect(objects.filter((o) => o.kind.startsWith('ClusterRole'))).toEqual([]);
    expect(names(objects)).toContain('ServiceAccount/mcpg-server');
  });

  it('gives function pods their scheduling and security settings, defaults first, and the API server takes them', async () => {
    const { text, objects } = await render(PROVIDED_TLS, [], {
      functionDefaults: {
        priorityClassName: 'platform',
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
        podAnnotations: { 'example.com/team': 'platform' },
        podSecurityContext: { runAsNonRoot: true, runAsUser: 65532 },
      },
      'functions.server.resources': { requests: { cpu: '200m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      'functions.server.affinity': ZONE_A,
    });
    const server = podOf(objects, 'Service', 'mcpg-server');
    expect(server.spec).toMatchObject({
      priorityClassName: 'platform',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', effect: 'NoSchedule' }],
      securityContext: { runAsNonRoot: true, runAsUser: 65532 },
      affinity: ZONE_A,
    });
    expect(server.spec.containers[0]?.resources).toEqual({
      requests: { cpu: '200m', memory: '128Mi' },
      limits: { memory: '512Mi' },
    });
    expect(server.metadata.annotations).toMatchObject({
      'example.com/team': 'platform',
      'autoscaling.knative.dev/max-scale': '3',
    });
    // The defaults: the hardened container and the default resources, no affinity.
    const tenant = podOf(objects, 'Service', 'mcpg-tenant').spec;
    expect(tenant.containers[0]?.resources).toEqual({ requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } });
    expect(tenant.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(tenant.affinity).toBeUndefined();
    await vi.waitFor(() => dryRunApply(kube, text), { timeout: 20_000, interval: 500 });
  });

  it('sets every function’s resync, memory and shutdown settings, functionDefaults first, a function’s own over them, and sends resync pages to its own Service', async () => {
    const envOf = (objects: Awaited<ReturnType<typeof render>>['objects'], fn: string) =>
      Object.fromEntries(
        (podOf(objects, 'Service', `mcpg-${fn}`).spec.containers[0]?.env ?? [])
          .filter((e) => e.name.startsWith('MCPG_'))
          .map((e) => [e.name, e.value]),
      );
    const defaults = await render(PROVIDED_TLS);
    for (const fn of FUNCTIONS)
      expect(envOf(defaults.objects, fn), fn).toMatchObject({
        MCPG_RESYNC_SHARD_SINK: `http://mcpg-${fn}.mcpg-system.svc`,
        MCPG_MEMORY_SECONDS: '60',
        MCPG_RESYNC_CONCURRENCY: '4',
        MCPG_RESYNC_DEADLINE_SECONDS: '100',
        MCPG_RESYNC_PAGE_SIZE: '500',
        MCPG_RESYNC_SHARDS_IN_FLIGHT: '2',
        MCPG_SHUTDOWN_GRACE_SECONDS: '25',
        MCPG_EVENT_HOLD_MS: '10',
        MCPG_PENDING_OBJECTS: '1000',
      });
    const { text, objects } = await render({
      ...PROVIDED_TLS,
      'functionDefaults.resyncDeadlineSeconds': '90',
      'functions.server.resyncConcurrency': '8',
      'functions.server.shutdownGraceSeconds': '50',
      'functions.server.memorySeconds': '0',
    });
    expect(envOf(objects, 'server')).toMatchObject({
      MCPG_RESYNC_CONCURRENCY: '8',
      MCPG_RESYNC_DEADLINE_SECONDS: '90',
      MCPG_SHUTDOWN_GRACE_SECONDS: '50',
      MCPG_MEMORY_SECONDS: '0',
    });
    expect(envOf(objects, 'gateway')).toMatchObject({ MCPG_RESYNC_CONCURRENCY: '4', MCPG_SHUTDOWN_GRACE_SECONDS: '25' });
    await vi.waitFor(() => dryRunApply(kube, text), { timeout: 20_000, interval: 500 });
  });

  it('needs no Knative feature flag by default: no gated pod field is rendered', async () => {
    const { objects } = await render(PROVIDED_TLS);
    for (const fn of FUNCTIONS) {
      const pod = podOf(objects, 'Service', `mcpg-${fn}`).spec;
      for (const gated of ['nodeSelector', 'tolerations', 'affinity', 'priorityClassName', 'securityContext'])
        expect(pod[gated], `${fn}: ${gated}`).toBeUndefined();
    }
  });

  it('names everything after fullnameOverride and labels everything with the release and chart', async () => {
    const { objects } = await render({ ...PROVIDED_TLS, fullnameOverride: 'tools' }, ['monitoring.coreos.com/v1'], {
      monitoring: { scrape: { enabled: true }, alerts: { enabled: true }, grafanaDashboard: { enabled: true } },
    });
    const own = objects.filter((o) => !o.kind.startsWith('CustomResourceDefinition'));
    expect(own.map((o) => o.metadata.name).filter((n) => !n.startsWith('tools-'))).toEqual([]);
    expect(names(objects)).toEqual(
      expect.arrayContaining(['Service/tools-server', 'PingSource/tools-server-resync', 'Deployment/tools-admission']),
    );
    const apiServerSource = objects.find((o) => o.kind === 'ApiServerSource' && o.metadata.name === 'tools-route');
    expect(apiServerSource?.spec).toMatchObject({
      serviceAccountName: 'tools-route-source',
      sink: { ref: { name: 'tools-route' } },
    });
    for (const object of objects) {
      expect(object.metadata.labels, `${object.kind}/${object.metadata.name}`).toMatchObject({
        'app.kubernetes.io/instance': 'mcpg',
        'helm.sh/chart': 'mcpg-functions-0.1.0',
      });
    }
  });
});
