import { randomBytes } from 'node:crypto';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { wiring as instanceWiring } from '@mcpg-functions/instance/wiring';
import { wiring as supplyChainWiring } from '@mcpg-functions/supply-chain/wiring';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cosignKeyPair, cosignSign, pushImage, type CosignKeys } from '../../registry/artifacts.ts';
import { loopbackRegistries } from '../../registry/operator-access.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource } from '../support/event-source.ts';

interface Instance {
  status?: {
    phase?: string;
    podName?: string;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

// Per-subject pods pass the same image-trust gate as a server's pods: the supply-chain function checks the
// template's image against its verify policy, and the instance function runs only the verified digest, and no
// pod at all for an image that is unsigned or revoked. Both functions run fed by Knative's real adapter.
describe('instances of a server with a verify policy', () => {
  const namespace = useNamespace('instance-trust');
  const kube = clients();
  const runLabel = { 'mcpg.dev/test-run': randomBytes(4).toString('hex') };
  const stops: (() => unknown)[] = [];
  let registry: LocalRegistry;
  let cosign: CosignKeys;

  const instancePath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpginstances/${name}`;
  const readInstance = (name: string) =>
    kubeRequest<Instance>(kube.config, { method: 'GET', path: instancePath(name) });
  const ready = (instance: Instance) => instance.status?.conditions?.find((c) => c.type === 'Ready');
  const podImage = async (name: string) => {
    const pod = await kube.core
      .readNamespacedPod({ name: `mcpgi-${name}`, namespace: namespace.name })
      .catch((error: unknown) => {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      });
    return pod?.spec?.containers[0]?.image;
  };
  const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 40_000, interval: 250 });

  const server = (name: string, image: string) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: namespace.name },
    spec: { image, port: 9000, replicas: 0, verify: { cosignKeyRef: { secretName: 'cosign-key' } } },
  });
  const instance = (name: string, template: string) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGInstance',
    metadata: { name, namespace: namespace.name },
    spec: { serverTemplateRef: { name: template }, subjectKey: name },
  });

  async function image(repository: string, signed: boolean) {
    const digest = await pushImage(`${registry.host}/${repository}:1`, repository);
    const reference = `${registry.host}/${repository}@${digest}`;
    if (signed) await cosignSign(reference, cosign);
    return { digest, reference };
  }

  beforeAll(async () => {
    await installCrds(kube);
    [registry, cosign] = await Promise.all([
      startRegistry({ name: 'instance-trust-registry' }),
      cosignKeyPair(),
    ]);
    stops.push(
      () => registry.stop(),
      () => {
        cosign.remove();
      },
    );
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name: 'cosign-key' }, stringData: { 'cosign.pub': cosign.publicPem } },
    });
    const probeImage = `${registry.host}/none/probe@sha256:${'0'.repeat(64)}`;
    const supplyChain = await startWithEventSource({
      name: 'supply-chain',
      clients: kube,
      namespace: namespace.name,
      wiring: supplyChainWiring,
      clusterScopedLabels: runLabel,
      env: { MCPG_OPERATOR_NAMESPACE: namespace.name, ...loopbackRegistries(registry.host) },
      probe: {
        create: (name) => apply(kube, server(`sc-${name}`, probeImage)),
        reconciled: async (name) =>
          (
            await kubeRequest<Instance>(kube.config, {
              method: 'GET',
              path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/sc-${name}`,
            })
          ).status?.conditions?.some((c) => c.type === 'ImageVerified') === true,
        remove: (name) =>
          kubeRequest(kube.config, {
            method: 'DELETE',
            path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/sc-${name}`,
          }),
      },
    });
    stops.push(() => supplyChain.stop());
    const instances = await startWithEventSource({
      name: 'instance',
      clients: kube,
      namespace: namespace.name,
      wiring: instanceWiring,
      probe: {
        create: (name) =>
          apply(kube, {
            ...instance(name, ''),
            spec: { image: 'ghcr.io/example/probe:1', subjectKey: name },
          }),
        reconciled: async (name) => (await readInstance(name)).status?.phase !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: instancePath(name) }),
      },
    });
    stops.push(() => instances.stop());
  }, 180_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('runs the verified digest, and takes the pod away once a revocation list names it', async () => {
    const signed = await image('servers/trusted', true);
    await apply(kube, server('trusted', signed.reference));
    await apply(kube, instance('alice', 'trusted'));
    await eventually(async () => {
      expect(await podImage('alice')).toBe(`${registry.host}/servers/trusted@${signed.digest}`);
    });
    const listName = `instances-${runLabel['mcpg.dev/test-run']}`;
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGRevocationList',
      metadata: { name: listName, labels: runLabel },
      spec: { revocations: [{ ociDigest: signed.digest, reason: 'compromised build' }] },
    });
    try {
      const refused = await eventually(async () => {
        const current = await readInstance('alice');
        expect(ready(current)).toMatchObject({ status: 'False', reason: 'ImageNotVerified' });
        expect(await podImage('alice')).toBeUndefined();
        return current;
      });
      expect(ready(refused)?.message).toMatch(
        /^MCPGServer trusted: .*\(DigestRevoked\); no pod runs until its image passes spec.verify$/,
      );
      expect(refused.status?.phase).toBe('Pending');
    } finally {
      await kubeRequest(kube.config, {
        method: 'DELETE',
        path: `/apis/mcpg.dev/v1alpha2/mcpgrevocationlists/${listName}`,
      });
    }
    // The list gone, the image verifies again and the subject gets its pod back.
    await eventually(async () => {
      expect(await podImage('alice')).toBe(`${registry.host}/servers/trusted@${signed.digest}`);
    });
  });

  it('never starts a pod for an unsigned image, and says why', async () => {
    const unsigned = await image('servers/unsigned', false);
    await apply(kube, server('unsigned', unsigned.reference));
    await apply(kube, instance('bob', 'unsigned'));
    const refused = await eventually(async () => {
      const current = await readInstance('bob');
      expect(ready(current)?.message).toMatch(/SignatureMissing/);
      return current;
    });
    expect(ready(refused)).toMatchObject({ status: 'False', reason: 'ImageNotVerified' });
    expect(refused.status?.podName).toBeUndefined();
    expect(await podImage('bob')).toBeUndefined();
  });
});
