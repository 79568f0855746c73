import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, stopControlPlane, type ControlPlaneState } from '../../cluster/control-plane.ts';
import { toolPath } from '../../cluster/tools.ts';
import { chart, helm, PROVIDED_TLS } from './render.ts';

const kubectl = (kubeconfig: string, ...args: string[]) =>
  promisify(execFile)(toolPath('kubectl'), [`--kubeconfig=${kubeconfig}`, ...args]).then((r) => r.stdout);

// A real `helm install` on a cluster of its own that serves neither Knative nor cert-manager (the run's shared
// API server gets Knative's CRDs from other suites): the chart refuses before it creates anything, and says
// what is missing and what to do.
describe('the Helm chart on a cluster without Knative', () => {
  let bare: ControlPlaneState | undefined;
  const kubeconfig = () => bare?.kubeconfig ?? '';
  const install = (values: Record<string, string> = {}) =>
    helm([
      'install', 'mcpg', chart,
      '-n', 'mcpg-system', '--create-namespace',
      '--kubeconfig', kubeconfig(),
      ...Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ]);

  beforeAll(async () => {
    bare = await startControlPlane({ parentDir: inject('clusterRunDir') });
  }, 180_000);
  afterAll(async () => {
    if (bare) await stopControlPlane(bare);
  });

  it('refuses to install, naming Knative Serving and the ways out, and leaves nothing behind', async () => {
    await expect(install(PROVIDED_TLS)).rejects.toThrow(
      /preflight: the cluster does not serve serving.knative.dev\/v1\/Service: install Knative Serving 1.22 or newer, or install only the CRDs and the webhook by disabling every function/,
    );
    // No release record, no CRD, no namespace: nothing half-installed to clean up.
    expect(await helm(['list', '-A', '-a', '-q', '--kubeconfig', kubeconfig()])).toBe('');
    expect(await kubectl(kubeconfig(), 'get', 'crd', '-o', 'name')).not.toContain('mcpg.dev');
    await expect(kubectl(kubeconfig(), 'get', 'namespace', 'mcpg-system')).rejects.toThrow(/not found/);
  });

  it('names the Knative version it found when the cluster serves Knative only in a version the chart does not render', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'services.serving.knative.dev' },
      spec: {
        group: 'serving.knative.dev',
        scope: 'Namespaced',
        names: { plural: 'services', singular: 'service', kind: 'Service', listKind: 'ServiceList' },
        versions: [
          {
            name: 'v2',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    await applyJson(kubeconfig(), crd);
    // Discovery picks a new CRD up a moment after it is created.
    await expect
      .poll(() => install(PROVIDED_TLS).catch((error: unknown) => (error as Error).message), { timeout: 30_000 })
      .toMatch(
        /the cluster serves serving.knative.dev\/v2, but not serving.knative.dev\/v1\/Service, the only version of it this chart renders: install Knative Serving 1.22 or newer/,
      );
    expect(await helm(['list', '-A', '-a', '-q', '--kubeconfig', kubeconfig()])).toBe('');
  });

  it('installs the CRDs and the webhook alone when every function is disabled, and refuses the cert-manager path there', async () => {
    const off = ['server', 'cluster', 'gateway', 'instance', 'pluginSet', 'route', 'supplyChain', 'tenant'];
    const functionsOff = Object.fromEntries(off.map((key) => [`functions.${key}.enabled`, 'false']));
    await expect(install(functionsOff)).rejects.toThrow(
      /preflight: the cluster does not serve cert-manager.io\/v1\/Certificate: install cert-manager 1.x, or set admission.certManager.enabled=false/,
    );
    expect(await install({ ...functionsOff, ...PROVIDED_TLS })).toContain('STATUS: deployed');
    expect(await kubectl(kubeconfig(), 'get', 'crd', '-o', 'name')).toContain('mcpgservers.mcpg.dev');
  });
});

function applyJson(kubeconfig: string, object: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(toolPath('kubectl'), [`--kubeconfig=${kubeconfig}`, 'apply', '-f', '-'], (error) => {
      if (error) reject(new Error(error.message));
      else resolve();
    });
    child.stdin?.end(JSON.stringify(object));
  });
}
