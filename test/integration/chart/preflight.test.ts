import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clients } from '../support/cluster.ts';
import { installKnativeCrds } from '../support/knative-crds.ts';
import { chart, helm, PROVIDED_TLS } from './render.ts';

const FOREIGN_CRD = 'probes.cert-manager.io';

// The preflight against the real API server: `helm install --dry-run=server` reads .Capabilities from its
// discovery, as a real install does, and stores nothing. This bed serves Knative's CRDs and no cert-manager.
describe('the Helm chart’s preflight', () => {
  const kube = clients();
  // Other suites install the MCPG CRDs without Helm, which a real install would refuse to adopt: leave them out.
  const install = (values: Record<string, string>) =>
    helm([
      'install',
      'mcpg',
      chart,
      '-n',
      'mcpg-system',
      '--dry-run=server',
      '--kubeconfig',
      kube.kubeconfigPath,
      ...Object.entries({ 'crds.install': 'false', ...values }).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ]);

  beforeAll(async () => {
    await installKnativeCrds(kube);
    // A new CRD reaches discovery a moment after it is created; until then Helm, rightly, sees no Knative.
    for (const group of ['serving.knative.dev/v1', 'sources.knative.dev/v1'])
      await vi.waitFor(() => kubeRequest(kube.config, { method: 'GET', path: `/apis/${group}` }), {
        timeout: 20_000,
        interval: 250,
      });
  });
  afterAll(async () => {
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${FOREIGN_CRD}`,
    }).catch(() => undefined);
  });

  const ADAPTER = { 'eventing.apiServerSourceAdapterImage': 'registry.example/knative/apiserver-receive-adapter:1' };

  it('installs where Knative is served and the webhook brings its own certificate', async () => {
    expect(await install({ ...PROVIDED_TLS, ...ADAPTER })).toContain('STATUS: pending-install');
  });

  it('refuses a cluster whose Eventing controller cannot be found when no adapter image is given', async () => {
    // This bed serves Knative's CRDs but runs no Eventing controller to take the image from.
    await expect(install(PROVIDED_TLS)).rejects.toThrow(
      /preflight: no Knative Eventing controller \(eventing-controller in knative-eventing\) names its ApiServerSource adapter image: set eventing.namespace .* or eventing.apiServerSourceAdapterImage/,
    );
  });

  it('refuses the cert-manager path on a cluster without cert-manager, naming the way out', async () => {
    await expect(install(ADAPTER)).rejects.toThrow(
      /preflight: the cluster does not serve cert-manager.io\/v1\/Certificate: install cert-manager 1.x, or set admission.certManager.enabled=false/,
    );
  });

  it('refuses a cluster that serves the API only in a version the chart does not render', async () => {
    await kubeRequest(kube.config, {
      method: 'POST',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: FOREIGN_CRD },
        spec: {
          group: 'cert-manager.io',
          scope: 'Namespaced',
          names: { plural: 'probes', singular: 'probe', kind: 'Probe', listKind: 'ProbeList' },
          versions: [
            {
              name: 'v2',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      },
    });
    await expect
      .poll(() => install(ADAPTER).catch((error: unknown) => (error as Error).message), { timeout: 20_000 })
      .toMatch(
        /the cluster serves cert-manager.io\/v2, but not cert-manager.io\/v1\/Certificate, the only version of it this chart renders/,
      );
  });

  it('installs only the CRDs and the webhook when every function is disabled', async () => {
    const off = ['server', 'cluster', 'gateway', 'instance', 'pluginSet', 'route', 'supplyChain', 'tenant'];
    const output = await install({
      ...PROVIDED_TLS,
      ...Object.fromEntries(off.map((key) => [`functions.${key}.enabled`, 'false'])),
    });
    expect(output).not.toContain('serving.knative.dev');
    expect(output).toContain('kind: ValidatingWebhookConfiguration');
  });
});
