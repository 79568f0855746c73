import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { apiStatus, kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { example, type Manifest } from '../fixtures/examples.ts';
import { clients, useNamespace } from '../integration/support/cluster.ts';
import { create } from '../integration/support/crds.ts';
import { MCPG_NAMESPACE, MCPG_RELEASE } from '../knative/mcpg.ts';

// The chart's default webhook TLS path on the real stack: cert-manager issues the webhook's serving certificate,
// its CA injector fills the ValidatingWebhookConfiguration's caBundle, the webhook Deployment runs our admission
// image on the real node, and the API server calls it through the configuration's `service:` reference.
const ADMISSION = `${MCPG_RELEASE}-admission`;
const TLS_SECRET = `${ADMISSION}-tls`;
const DENIED_SNIPPET =
  /admission webhook "mcpgservers\.mcpg\.dev" denied the request: .*spec\.ingress\.annotations\["nginx\.ingress\.kubernetes\.io\/configuration-snippet"\] matches the denied pattern "\*snippet\*"/;

/** Whether a caBundle holds the CA of an issued Secret (the CA injector may keep the previous CA beside it). */
const holds = (caBundle: string | undefined, ca: string | undefined) =>
  Buffer.from(caBundle ?? '', 'base64')
    .toString()
    .includes(
      Buffer.from(ca ?? '-', 'base64')
        .toString()
        .trim(),
    );

type Secret = { metadata: { resourceVersion: string }; data: Record<string, string> };
type WebhookConfiguration = {
  metadata: { annotations?: Record<string, string> };
  webhooks: {
    name: string;
    clientConfig: { caBundle?: string; service?: { namespace: string; name: string }; url?: string };
  }[];
};
type Pod = {
  spec: { nodeName: string };
  status: { podIP: string; containerStatuses?: { ready: boolean }[] };
};
type Node = { status: { nodeInfo: { containerRuntimeVersion: string } } };

describe('the webhook through cert-manager, on the real stack', () => {
  const kube = clients();
  const tenant = useNamespace('admission-e2e');
  const get = <T>(path: string) => kubeRequest<T>(kube.config, { method: 'GET', path });
  const secret = () => get<Secret>(`/api/v1/namespaces/${MCPG_NAMESPACE}/secrets/${TLS_SECRET}`);
  const configuration = () =>
    get<WebhookConfiguration>(
      `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${ADMISSION}`,
    );

  /** Creates the object; resolves with the API server's refusal message, or undefined when it was stored. */
  async function attempt(manifest: Manifest): Promise<string | undefined> {
    try {
      await create(kube, { ...manifest, metadata: { ...manifest.metadata, namespace: tenant.name } });
      return undefined;
    } catch (error) {
      if (apiStatus(error) === undefined) throw error;
      return (JSON.parse((error as { body: string }).body) as { message: string }).message;
    }
  }
  const admissionPods = async () =>
    (
      await get<{ items: Pod[] }>(
        `/api/v1/namespaces/${MCPG_NAMESPACE}/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/name=mcpg-admission')}`,
      )
    ).items;
  const server = (name: string, annotations: Record<string, string> = {}) => {
    const manifest = example('MCPGServer');
    // A host of its own: the example's is held by the objects other e2e cases create from the same example.
    const host = `${name}.${tenant.name}.example.com`;
    const ingress = { ...(manifest.spec.ingress as Record<string, unknown>), host, annotations };
    return { ...manifest, metadata: { ...manifest.metadata, name }, spec: { ...manifest.spec, ingress } };
  };
  const snippet = { 'nginx.ingress.kubernetes.io/configuration-snippet': 'return 200;' };

  beforeAll(async () => {
    // The configuration's caBundle is filled by the CA injector a moment after the chart installs it.
    await vi.waitFor(
      async () => {
        expect((await configuration()).webhooks[0]?.clientConfig.caBundle).toBeTruthy();
      },
      { timeout: 60_000, interval: 1_000 },
    );
  });
  afterAll(async () => {
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${tenant.name}/mcpgservers`,
    }).catch(() => undefined);
  });

  it('serves with the certificate cert-manager issued, its CA injected, from pods on the real node', async () => {
    const issued = await secret();
    const config = await configuration();
    expect(config.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(
      `${MCPG_NAMESPACE}/${ADMISSION}`,
    );
    for (const webhook of config.webhooks) {
      expect(webhook.clientConfig.url).toBeUndefined();
      expect(webhook.clientConfig.service).toMatchObject({ namespace: MCPG_NAMESPACE, name: ADMISSION });
      expect(holds(webhook.clientConfig.caBundle, issued.data['ca.crt'])).toBe(true);
    }
    const pods = await admissionPods();
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      expect(pod.status.containerStatuses?.[0]?.ready).toBe(true);
      const node = await get<Node>(`/api/v1/nodes/${pod.spec.nodeName}`);
      expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    }
  });

  it('admits a valid MCPGServer from docs/examples and refuses an invalid one with the webhook’s message', async () => {
    expect(await attempt(server('github-tools'))).toBeUndefined();
    expect(await attempt(server('snippets', snippet))).toMatch(DENIED_SNIPPET);
  });

  it('still answers after cert-manager issues a new certificate and the CA injector adds its CA', async () => {
    const before = await secret();
    const serialOf = (s: Secret) =>
      new X509Certificate(Buffer.from(s.data['tls.crt'] ?? '', 'base64')).serialNumber.toUpperCase();
    // Deleting the Secret makes cert-manager issue again: a new key (rotationPolicy Always) under a new
    // self-signed CA, which the CA injector adds to the caBundle.
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/api/v1/namespaces/${MCPG_NAMESPACE}/secrets/${TLS_SECRET}`,
    });
    await expect
      .poll(async () => secret().then(serialOf, () => undefined), { timeout: 120_000, interval: 1_000 })
      .toSatisfy((serial) => serial !== undefined && serial !== serialOf(before));
    const after = await secret();
    await expect
      .poll(
        async () =>
          (await configuration()).webhooks.every((w) => holds(w.clientConfig.caBundle, after.data['ca.crt'])),
        {
          timeout: 120_000,
          interval: 1_000,
        },
      )
      .toBe(true);
    // Every pod serves the new certificate once the kubelet has synced the Secret's volume and the webhook has
    // seen the file change, without a restart.
    const renewedSerial = serialOf(after);
    await expect
      .poll(async () => Promise.all((await admissionPods()).map((pod) => servedSerial(pod.status.podIP))), {
        timeout: 240_000,
        interval: 3_000,
      })
      .toSatisfy(
        (serials: string[]) => serials.length > 0 && serials.every((serial) => serial === renewedSerial),
      );
    expect(await attempt(server('after-renewal'))).toBeUndefined();
    expect(await attempt(server('snippets-after-renewal', snippet))).toMatch(DENIED_SNIPPET);
  });
});

/** The serial of the certificate a webhook pod serves (read from the host, which routes to the node's pods). */
function servedSerial(podIP: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: podIP,
        port: 9443,
        servername: `${ADMISSION}.${MCPG_NAMESPACE}.svc`,
        rejectUnauthorized: false,
      },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.end();
        resolve(serial.toUpperCase());
      },
    );
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no TLS answer from ${podIP}:9443`)));
    socket.on('error', reject);
  });
}
