import { randomBytes } from 'node:crypto';
import { DiscoveryV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { droppedPackets } from '../cluster/node/network.ts';
import { core, exec, probePod, PROBE_PAGE, pushProbeImage, running } from './support.ts';

/** TEST-NET-3 (RFC 5737): an address that belongs to no one, so even a leak would contact nothing real. */
const OUTSIDE = '203.0.113.1';

// Pods on the real node reach each other through Services and CoreDNS, and nothing they send leaves the machine:
// neither directly nor through a Service whose endpoint lies outside.
describe('the real node keeps traffic on the machine', () => {
  const namespace = `containment-${randomBytes(3).toString('hex')}`;
  const api = core();
  const discovery = loadKubeConfig(inject('kubeconfig')).makeApiClient(DiscoveryV1Api);

  beforeAll(async () => {
    const image = await pushProbeImage();
    await api.createNamespace({ body: { metadata: { name: namespace } } });
    await api.createNamespacedPod({
      namespace,
      body: probePod('web', image, ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'], {
        app: 'web',
      }),
    });
    await api.createNamespacedPod({ namespace, body: probePod('client', image) });
    await api.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    // A Service whose only endpoint is outside the machine: kube-proxy will send its packets there.
    await api.createNamespacedService({
      namespace,
      body: { metadata: { name: 'outside' }, spec: { ports: [{ port: 80 }] } },
    });
    await discovery.createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: { name: 'outside', labels: { 'kubernetes.io/service-name': 'outside' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [OUTSIDE] }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    });
    await Promise.all([running(namespace, 'web'), running(namespace, 'client')]);
  }, 180_000);

  afterAll(async () => {
    await api.deleteNamespace({ name: namespace });
  });

  /**
   * The Service's address as CoreDNS gives it to the pod (busybox's own resolver: static glibc has no NSS). A
   * lookup is UDP and may be lost (kube-proxy clears UDP conntrack entries while it syncs a new Service's rules):
   * it is asked again, as any resolver would, a few times.
   */
  async function lookUp(service: string): Promise<string> {
    const name = `${service}.${namespace}.svc.cluster.local`;
    const answers: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const result = await exec(namespace, 'client', ['/bin/busybox', 'nslookup', name]);
      const address = new RegExp(`Name:\\s*${name.replaceAll('.', '\\.')}\\s*Address:\\s*(\\S+)`).exec(
        result.stdout,
      )?.[1];
      if (address) return address;
      answers.push(`${result.stdout}${result.stderr}`);
    }
    throw new Error(`nslookup ${name} in the pod answered, three times: ${answers.join(' / ')}`);
  }

  /** An HTTP GET from the client pod, written by hand: busybox's wget needs NSS, which a static glibc lacks. */
  const fetchFromPod = (address: string) =>
    exec(namespace, 'client', [
      '/bin/busybox',
      'sh',
      '-c',
      `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 3 ${address} 80`,
    ]);

  it('serves a pod through its ClusterIP Service, found by its cluster DNS name', async () => {
    const address = await lookUp('web');
    const service = await api.readNamespacedService({ name: 'web', namespace });
    expect(address).toBe(service.spec?.clusterIP);
    const result = await fetchFromPod(address);
    expect(result.stdout).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
    expect(result.stdout.endsWith(`\r\n\r\n${PROBE_PAGE}`)).toBe(true);
  });

  it('drops a pod’s connection to an address outside the machine, and counts it', async () => {
    const before = await droppedPackets();
    const result = await exec(namespace, 'client', ['/bin/busybox', 'nc', '-w', '3', OUTSIDE, '80']);
    expect(result.code).not.toBe(0);
    const after = await droppedPackets();
    const seen = `nc: ${result.code} ${result.stderr.trim()}; drops before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`;
    expect(after['pod to outside'] ?? 0, seen).toBeGreaterThan(before['pod to outside'] ?? 0);
  });

  it('drops a Service’s packets towards an endpoint outside the machine', async () => {
    // The Service's ClusterIP from the API: finding Services by name is the first test's subject, not this one's.
    const address = (await api.readNamespacedService({ name: 'outside', namespace })).spec?.clusterIP ?? '';
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const before = await droppedPackets();
    const result = await fetchFromPod(address);
    expect(result.code).not.toBe(0);
    const after = await droppedPackets();
    expect(after['pod to outside'] ?? 0).toBeGreaterThan(before['pod to outside'] ?? 0);
  });

  it('answers no name outside the cluster (CoreDNS has no forwarder)', async () => {
    const result = await exec(namespace, 'client', ['/bin/busybox', 'nslookup', 'example.com']);
    expect(result.code).not.toBe(0);
  });
});
