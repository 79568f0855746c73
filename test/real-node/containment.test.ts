import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { droppedPackets } from '../cluster/node/network.ts';
import { core, exec, probePod, PROBE_PAGE, pushProbeImage, running } from './support.ts';

/** TEST-NET-3 (RFC 5737): an address that belongs to no one, so even a leak would contact nothing real. */
const OUTSIDE = '203.0.113.1';

// Pods on the real node reach each other through Services and CoreDNS, and nothing they send leaves the machine:
// neither directly nor through a Service whose endpoint lies outside.
describe('the real node keeps traffic on the machine', () => {
  const namespace = `containment-${randomBytes(3).toString('hex')}`;
  const api = core();

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
    await api.createNamespacedEndpoints({
      namespace,
      body: {
        metadata: { name: 'outside' },
        subsets: [{ addresses: [{ ip: OUTSIDE }], ports: [{ port: 80 }] }],
      },
    });
    await Promise.all([running(namespace, 'web'), running(namespace, 'client')]);
  }, 180_000);

  afterAll(async () => {
    await api.deleteNamespace({ name: namespace });
  });

  it('serves a pod through its ClusterIP Service, found by its cluster DNS name', async () => {
    const result = await exec(namespace, 'client', [
      '/bin/busybox',
      'wget',
      '-q',
      '-T',
      '5',
      '-O',
      '-',
      `http://web.${namespace}.svc.cluster.local/`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(PROBE_PAGE);
  });

  it('drops a pod’s connection to an address outside the machine, and counts it', async () => {
    const before = await droppedPackets();
    const result = await exec(namespace, 'client', ['/bin/busybox', 'nc', '-w', '3', OUTSIDE, '80']);
    expect(result.code).not.toBe(0);
    const after = await droppedPackets();
    expect(after['pod to outside'] ?? 0).toBeGreaterThan(before['pod to outside'] ?? 0);
  });

  it('drops a Service’s packets towards an endpoint outside the machine', async () => {
    const before = await droppedPackets();
    const result = await exec(namespace, 'client', [
      '/bin/busybox',
      'wget',
      '-q',
      '-T',
      '3',
      '-O',
      '-',
      `http://outside.${namespace}.svc.cluster.local/`,
    ]);
    expect(result.code).not.toBe(0);
    const after = await droppedPackets();
    expect(after['pod to outside'] ?? 0).toBeGreaterThan(before['pod to outside'] ?? 0);
  });

  it('answers no name outside the cluster (CoreDNS has no forwarder)', async () => {
    const result = await exec(namespace, 'client', ['/bin/busybox', 'nslookup', 'example.com']);
    expect(result.code).not.toBe(0);
  });
});
