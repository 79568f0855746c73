import { randomBytes } from 'node:crypto';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { wiring } from '@mcpg-functions/supply-chain/wiring';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  cosignKeyPair,
  cosignSign,
  ed25519Pair,
  pluginPackage,
  pushPlugin,
  type CosignKeys,
} from '../../registry/artifacts.ts';
import { loopbackRegistries } from '../../registry/operator-access.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startWithEventSource } from '../support/event-source.ts';
import type { PluginStatus } from './bed.ts';

// The supply-chain function as it runs in a cluster: fed by Knative's real ApiServerSource adapter (its three
// cluster-scoped kinds, Secrets and ConfigMaps), with no event sent by the test. A plugin is verified because it
// was created, and revoked because a revocation list naming it was created.
describe('the supply-chain function, driven by the real event source', () => {
  const namespace = useNamespace('supply-events');
  const kube = clients();
  // Cluster-scoped objects of other test files stay out of this file's adapter.
  const runLabel = { 'mcpg.dev/test-run': randomBytes(4).toString('hex') };
  const named = (name: string) => `${name}-${runLabel['mcpg.dev/test-run']}`;
  const pluginPath = (name: string) => `/apis/mcpg.dev/v1alpha2/mcpgplugins/${named(name)}`;
  const readPlugin = async (name: string) =>
    (await kubeRequest<{ status?: PluginStatus }>(kube.config, { method: 'GET', path: pluginPath(name) }))
      .status;
  const ready = (status: PluginStatus | undefined) => status?.conditions?.find((c) => c.type === 'Ready');
  let registry: LocalRegistry;
  let cosign: CosignKeys;
  // What beforeAll started, stopped in reverse even when it failed halfway.
  const started: (() => unknown)[] = [];
  const signer = ed25519Pair();

  const plugin = (name: string, image: string) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGPlugin',
    metadata: { name: named(name), labels: runLabel },
    spec: {
      pluginId: 'dev.mcpg.test.gate',
      version: '1.0.0',
      pluginClass: 'tool_gate',
      oci: { image },
      trust: { signingKeyRef: { secretName: 'release-key' }, cosignKeyRef: { secretName: 'cosign-key' } },
    },
  });

  beforeAll(async () => {
    await installCrds(kube);
    [registry, cosign] = await Promise.all([startRegistry(), cosignKeyPair()]);
    started.push(
      () => registry.stop(),
      () => {
        cosign.remove();
      },
    );
    for (const [name, data] of [
      ['release-key', { 'release.pub': signer.publicBase64 }],
      ['cosign-key', { 'cosign.pub': cosign.publicPem }],
    ] as const) {
      await kube.core.createNamespacedSecret({
        namespace: namespace.name,
        body: { metadata: { name }, stringData: data },
      });
    }
    const running = await startWithEventSource({
      name: 'supply-chain',
      clients: kube,
      namespace: namespace.name,
      wiring,
      clusterScopedLabels: runLabel,
      env: { MCPG_OPERATOR_NAMESPACE: namespace.name, ...loopbackRegistries(registry.host) },
      probe: {
        // Any answer in status shows the event arrived; an unreachable image answers quickly.
        create: (name) =>
          apply(kube, plugin(`probe-${name}`, `127.0.0.1:9/none/probe:1.0.0@sha256:${'0'.repeat(64)}`)),
        reconciled: async (name) => ready(await readPlugin(`probe-${name}`)) !== undefined,
        remove: (name) => kubeRequest(kube.config, { method: 'DELETE', path: pluginPath(`probe-${name}`) }),
      },
    });
    started.push(() => running.stop());
  }, 120_000);

  afterAll(async () => {
    for (const stop of started.reverse()) await stop();
  });

  it('verifies a plugin when it is created, and revokes it when a list naming its digest is', async () => {
    const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer });
    const digest = await pushPlugin(`${registry.host}/plugins/gate:1.0.0`, pkg);
    await cosignSign(`${registry.host}/plugins/gate@${digest}`, cosign);
    await apply(kube, plugin('gate', `${registry.host}/plugins/gate:1.0.0@${digest}`));
    const verified = await vi.waitFor(
      async () => {
        const status = await readPlugin('gate');
        expect(ready(status)?.status).toBe('True');
        return status;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(verified?.artifact).toBe(`${registry.host}/plugins/gate@${digest}`);

    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGRevocationList',
      metadata: { name: named('revoked'), labels: runLabel },
      spec: { revocations: [{ ociDigest: digest, reason: 'compromised build' }] },
    });
    await vi.waitFor(
      async () => {
        const status = await readPlugin('gate');
        expect(ready(status)).toMatchObject({ status: 'False', reason: 'Revoked' });
        expect(status?.artifact).toBeUndefined();
      },
      { timeout: 30_000, interval: 250 },
    );
    await kubeRequest(kube.config, {
      method: 'DELETE',
      path: `/apis/mcpg.dev/v1alpha2/mcpgrevocationlists/${named('revoked')}`,
    });
    await kubeRequest(kube.config, { method: 'DELETE', path: pluginPath('gate') });
  });
});
