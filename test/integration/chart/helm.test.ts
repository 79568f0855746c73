import { beforeAll, describe, expect, it, vi } from 'vitest';
import { clients } from '../support/cluster.ts';
import { dryRunApply, installKnativeCrds } from '../support/knative-crds.ts';
import { chart, helm, names, podOf, PROVIDED_TLS, render } from './render.ts';

// The chart, checked with the real helm binary and the real API server (with Knative's CRDs installed).
describe('the Helm chart', () => {
  const kube = clients();
  beforeAll(async () => {
    await installKnativeCrds(kube);
  });

  it('passes helm lint', async () => {
    expect(await helm(['lint', '--strict', chart, '--kube-version', '1.36.3'])).toContain('0 chart(s) failed');
  });

  it('renders objects the API server accepts: CRDs, functions, webhook, RBAC', async () => {
    const { text, objects } = await render(PROVIDED_TLS);
    expect(names(objects)).toEqual(
      expect.arrayContaining([
        'CustomResourceDefinition/mcpgservers.mcpg.dev',
        'Service/mcpg-server',
        'ApiServerSource/mcpg-instance',
        'PingSource/mcpg-server-resync',
        'Deployment/mcpg-admission',
        'ValidatingWebhookConfiguration/mcpg-admission',
        'ClusterRole/mcpg-admission',
      ]),
    );
    const output = await vi.waitFor(() => dryRunApply(kube, text), { timeout: 20_000, interval: 500 });
    expect(output).toContain('validatingwebhookconfiguration.admissionregistration.k8s.io/mcpg-admission');
    expect(output).toContain('deployment.apps/mcpg-admission');
  });

  it('points the webhook at the in-cluster Service, failing closed by default', async () => {
    const { objects } = await render(PROVIDED_TLS);
    const webhook = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration');
    expect(webhook?.webhooks?.length).toBe(11);
    for (const w of webhook?.webhooks ?? []) {
      expect(w.clientConfig.service).toMatchObject({ namespace: 'mcpg-system', name: 'mcpg-admission' });
      expect(w.clientConfig.caBundle).toBe('Q0E=');
      expect(w.failurePolicy).toBe('Fail');
    }
  });

  it('with cert-manager, issues the serving certificate for the Service and injects its CA', async () => {
    const { objects } = await render();
    const certificate = objects.find((o) => o.kind === 'Certificate');
    expect(certificate?.spec).toMatchObject({
      secretName: 'mcpg-admission-tls',
      dnsNames: ['mcpg-admission.mcpg-system.svc', 'mcpg-admission.mcpg-system.svc.cluster.local'],
      issuerRef: { name: 'mcpg-admission-selfsigned', kind: 'Issuer' },
    });
    const webhook = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration');
    expect(webhook?.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe('mcpg-system/mcpg-admission');
  });

  it('refuses to render a webhook nobody could call: no cert-manager and no CA bundle', async () => {
    await expect(render({ 'admission.certManager.enabled': 'false' })).rejects.toThrow(
      /admission.tls.caBundle is required when admission.certManager.enabled is false/,
    );
  });

  it('leaves out what is disabled, and keeps CRDs on uninstall', async () => {
    const { objects } = await render({ ...PROVIDED_TLS, 'functions.instance.enabled': 'false', 'admission.enabled': 'false' });
    expect(names(objects).some((n) => n.includes('mcpg-instance') || n.includes('mcpg-admission'))).toBe(false);
    expect(names(objects)).toContain('PingSource/mcpg-server-resync');
    const crd = objects.find((o) => o.kind === 'CustomResourceDefinition');
    expect(crd?.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });

  it('sets the image, log level, resync schedule and tracing endpoint from values', async () => {
    const { text, objects } = await render({
      ...PROVIDED_TLS,
      'image.registry': 'registry.internal:5000',
      'image.tag': '9.9.9',
      'functions.server.resyncSchedule': '*/5 * * * *',
      'tracing.otlpEndpoint': 'http://otel.observability:4318',
    });
    expect(text).toContain("image: 'registry.internal:5000/mcpg-dev/mcpg-functions/server:9.9.9'");
    expect(text).toContain('image: registry.internal:5000/mcpg-dev/mcpg-functions/admission:9.9.9');
    const resync = objects.find((o) => o.kind === 'PingSource' && o.metadata.name === 'mcpg-server-resync');
    expect(resync?.spec?.schedule).toBe('*/5 * * * *');
    expect(text).toContain('value: "http://otel.observability:4318"');
  });

  it('lets the webhook ask the authorizer about users, passes it the operator’s settings and fences the functions', async () => {
    const { objects } = await render(PROVIDED_TLS, [], { 'admission.ingress.classes': ['public', 'internal'] });
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'mcpg-admission') as
      | { rules: unknown[] }
      | undefined;
    expect(role?.rules).toContainEqual({
      apiGroups: ['authorization.k8s.io'],
      resources: ['subjectaccessreviews'],
      verbs: ['create'],
    });
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'mcpg-admission');
    const env = (
      deployment?.spec as { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } }
    ).template.spec.containers[0]?.env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'MCPG_OPERATOR_NAMESPACE', value: 'mcpg-system' },
        { name: 'MCPG_INGRESS_CLASSES', value: 'public,internal' },
        { name: 'MCPG_INGRESS_ANNOTATIONS_DENIED', value: expect.stringContaining('*snippet*') as string },
      ]),
    );
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'mcpg-functions');
    expect(policy?.spec).toMatchObject({
      podSelector: {
        matchLabels: { 'app.kubernetes.io/part-of': 'mcpg', 'app.kubernetes.io/instance': 'mcpg' },
        matchExpressions: [{ key: 'serving.knative.dev/service', operator: 'Exists' }],
      },
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'knative-serving' } } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kourier-system' } } },
          ],
        },
      ],
    });
    // It applies to the function pods (Knative adds serving.knative.dev/service to their own labels).
    const functionPodLabels = podOf(objects, 'Service', 'mcpg-server').metadata.labels ?? {};
    expect(functionPodLabels).toMatchObject({ 'app.kubernetes.io/part-of': 'mcpg', 'app.kubernetes.io/instance': 'mcpg' });
  });

  it('gives a function extra environment and volumes from values: an offline Sigstore trusted root', async () => {
    const { text, objects } = await render(PROVIDED_TLS, [], {
      'functions.supplyChain.env': [
        { name: 'MCPG_SIGSTORE_TRUSTED_ROOT', value: '/etc/mcpg/sigstore/trusted_root.json' },
      ],
      'functions.supplyChain.volumeMounts': [{ name: 'sigstore', mountPath: '/etc/mcpg/sigstore', readOnly: true }],
      'functions.supplyChain.volumes': [{ name: 'sigstore', configMap: { name: 'sigstore-trusted-root' } }],
    });
    const pod = podOf(objects, 'Service', 'mcpg-supply-chain').spec;
    expect(pod.containers[0]?.env).toContainEqual({
      name: 'MCPG_SIGSTORE_TRUSTED_ROOT',
      value: '/etc/mcpg/sigstore/trusted_root.json',
    });
    expect(pod.containers[0]?.volumeMounts).toEqual([
      { name: 'sigstore', mountPath: '/etc/mcpg/sigstore', readOnly: true },
    ]);
    expect(pod.volumes).toEqual([{ name: 'sigstore', configMap: { name: 'sigstore-trusted-root' } }]);
    // Other functions are left as they were.
    expect(podOf(objects, 'Service', 'mcpg-server').spec.volumes).toBeUndefined();
    await vi.waitFor(() => dryRunApply(kube, text), { timeout: 20_000, interval: 500 });
  });

  it('renders monitoring objects only where the Prometheus Operator is installed', async () => {
    const monitoring = {
      'monitoring.scrape.enabled': 'true',
      'monitoring.alerts.enabled': 'true',
      'monitoring.grafanaDashboard.enabled': 'true',
    };
    const without = await render(monitoring);
    expect(names(without.objects).filter((n) => /Monitor|PrometheusRule/.test(n))).toEqual([]);
    const { objects } = await render(monitoring, ['monitoring.coreos.com/v1']);
    expect(names(objects)).toEqual(
      expect.arrayContaining([
        'PodMonitor/mcpg-functions',
        'ServiceMonitor/mcpg-admission',
        'PrometheusRule/mcpg-functions',
        'ConfigMap/mcpg-dashboard',
      ]),
    );
    const rule = objects.find((o) => o.kind === 'PrometheusRule') as unknown as {
      spec: { groups: { rules: { alert: string; annotations: { summary: string } }[] }[] };
    };
    const alerts = rule.spec.groups.flatMap((g) => g.rules);
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining(['MCPGReconcileFailing', 'MCPGAdmissionErrors', 'MCPGAdmissionDown']),
    );
    // Prometheus templates in annotations survive Helm's own templating.
    expect(alerts[0]?.annotations.summary).toContain('{{ $labels.function }}');
    // The function pods: the labels their Service's template gives them, and Knative's.
    const podMonitor = objects.find((o) => o.kind === 'PodMonitor') as unknown as {
      spec: { selector: { matchLabels: Record<string, string>; matchExpressions: { key: string }[] } };
    };
    const server = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'mcpg-server') as unknown as {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    const pod = { ...server.spec.template.metadata.labels, 'serving.knative.dev/service': 'mcpg-server' };
    expect(pod).toMatchObject(podMonitor.spec.selector.matchLabels);
    for (const { key } of podMonitor.spec.selector.matchExpressions) expect(pod).toHaveProperty([key]);
  });
});
