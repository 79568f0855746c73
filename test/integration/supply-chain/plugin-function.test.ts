import { inject, afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startFunction, type RunningFunction } from '../support/function-process.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';
import {
  cosignKeyPair,
  cosignSign,
  cosignSignClassic,
  ed25519Pair,
  provenanceLine,
  pluginPackage,
  pushPlugin,
  type CosignKeys,
  type Ed25519Pair,
} from '../../registry/artifacts.ts';
import { startCorruptingProxy, type CorruptingProxy } from '../../registry/corrupting-proxy.ts';
import { createHash, createPublicKey } from 'node:crypto';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}
interface PluginStatus {
  artifact?: string;
  resolvedDigest?: string;
  signatureValid?: boolean;
  cosignVerified?: boolean;
  slsaVerified?: boolean;
  revokedBySha?: boolean;
  conditions?: Condition[];
}

const MANIFEST_LIMIT = 64 * 1024;

// The supply-chain function as its own process against the real control plane, pulling from a real registry
// (docker-registry on loopback) artifacts pushed with crane and signed with cosign. Events are sent as the
// ApiServerSource adapter sends them (binary CloudEvents naming the object).
describe('the supply-chain function, against a real registry', () => {
  const namespace = useNamespace('supply');
  const kube = clients();
  const suffix = () => namespace.name.split('-').pop() ?? '';
  let registry: LocalRegistry;
  let mirrorRegistry: LocalRegistry;
  let proxy: CorruptingProxy;
  let fn: RunningFunction;
  let signer: Ed25519Pair;
  let cosign: CosignKeys;
  let otherCosign: CosignKeys;
  const mirrorHost = () => `mirror.${namespace.name}.svc.cluster.local:5000`;
  const syncedMirrorHost = () => `mirror.${namespace.name}.svc.cluster.local:5002`;

  const pluginPath = (name: string) => `/apis/mcpg.dev/v1alpha2/mcpgplugins/${name}`;
  const readPlugin = (name: string) =>
    kubeRequest<{ status?: PluginStatus }>(kube.config, { method: 'GET', path: pluginPath(name) });
  const condition = (status: PluginStatus | undefined, type: string) =>
    status?.conditions?.find((c) => c.type === type);

  async function poke(kind: string, name: string): Promise<number> {
    const response = await fetch(`${fn.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': `${kind}-${name}-${Date.now()}`,
        'ce-source': 'tests',
        'ce-type': 'dev.knative.apiserver.resource.update',
        'ce-apiversion': 'mcpg.dev/v1alpha2',
        'ce-kind': kind,
        'ce-name': name,
      },
      body: '{}',
    });
    return response.status;
  }

  async function secret(name: string, data: Record<string, string>): Promise<void> {
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name }, stringData: data },
    });
  }

  function plugin(
    name: string,
    image: string,
    trust: Record<string, unknown>,
    oci: Record<string, unknown> = {},
  ) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name },
      spec: {
        pluginId: 'dev.mcpg.test.gate',
        version: '1.0.0',
        pluginClass: 'tool_gate',
        oci: { image, ...oci },
        trust,
      },
    };
  }

  const bothKeys = {
    signingKeyRef: { secretName: 'release-key' },
    cosignKeyRef: { secretName: 'cosign-key' },
  };

  /** Pushes a signed plugin, creates an MCPGPlugin for it, pokes the function and returns the settled status. */
  async function verifyPlugin(
    name: string,
    options: {
      pkg?: ReturnType<typeof pluginPackage>;
      sign?: CosignKeys | false;
      format?: 'classic' | 'bundle';
      trust?: Record<string, unknown>;
      host?: string;
      oci?: Record<string, unknown>;
    } = {},
  ) {
    const pkg = options.pkg ?? pluginPackage({ id: 'dev.mcpg.test.gate', signer });
    const digest = await pushPlugin(`${registry.host}/plugins/${name}:1.0.0`, pkg);
    if (options.sign !== false)
      await cosignSign(`${registry.host}/plugins/${name}@${digest}`, options.sign ?? cosign, options.format);
    const full = `${name}-${suffix()}`;
    await apply(
      kube,
      plugin(
        full,
        `${options.host ?? registry.host}/plugins/${name}:1.0.0@${digest}`,
        options.trust ?? bothKeys,
        options.oci,
      ),
    );
    expect(await poke('MCPGPlugin', full)).toBe(204);
    const status = await vi.waitFor(
      async () => {
        const current = (await readPlugin(full)).status;
        expect(condition(current, 'Ready')).toBeDefined();
        return current ?? {};
      },
      { timeout: 20_000, interval: 200 },
    );
    return { full, digest, pkg, status };
  }

  beforeAll(async () => {
    await installCrds(kube);
    const logDir = path.join(inject('clusterRunDir'), 'logs');
    [registry, mirrorRegistry] = await Promise.all([
      startRegistry({ logDir }),
      startRegistry({ logDir, name: 'mirror-registry' }),
    ]);
    proxy = await startCorruptingProxy(registry.url);
    [cosign, otherCosign] = await Promise.all([cosignKeyPair(), cosignKeyPair()]);
    signer = ed25519Pair();
    await secret('release-key', { 'release.pub': signer.publicBase64 });
    await secret('cosign-key', { 'cosign.pub': cosign.publicPem });
    fn = await startFunction('supply-chain', {
      kubeconfig: kube.kubeconfigPath,
      logDir,
      env: {
        MCPG_OPERATOR_NAMESPACE: namespace.name,
        MCPG_MANIFEST_MAX_BYTES: String(MANIFEST_LIMIT),
        MCPG_REGISTRY_ENDPOINTS: JSON.stringify({
          [mirrorHost()]: registry.url,
          [syncedMirrorHost()]: mirrorRegistry.url,
        }),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await fn.stop();
    await proxy.close();
    await registry.stop();
    await mirrorRegistry.stop();
    cosign.remove();
    otherCosign.remove();
  });

  it('verifies an Ed25519- and cosign-signed plugin and publishes the digest-pinned artifact', async () => {
    const { digest, pkg, status } = await verifyPlugin('good');
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(condition(status, 'Verified')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(condition(status, 'Revoked')).toMatchObject({ status: 'False', reason: 'NotRevoked' });
    expect(status).toMatchObject({
      artifact: `${registry.host}/plugins/good@${digest}`,
      resolvedDigest: `sha256:${pkg.binarySha256}`,
      signatureValid: true,
      cosignVerified: true,
    });
  });

  it('verifies a plugin signed in the Sigstore bundle format, found through the referrers tag fallback', async () => {
    const { digest, status } = await verifyPlugin('bundled', { format: 'bundle' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(status).toMatchObject({
      artifact: `${registry.host}/plugins/bundled@${digest}`,
      cosignVerified: true,
    });
  });

  it.each([
    {
      name: 'tampered',
      why: 'plugin.sig signs other bytes than the binary',
      setup: () => ({
        pkg: pluginPackage({ id: 'dev.mcpg.test.gate', signer, signedBytes: Buffer.from('other') }),
      }),
      reason: 'SignatureInvalid',
      message: /does not verify/,
      check: { signatureValid: false },
    },
    {
      name: 'unsigned',
      why: 'the package has no plugin.sig',
      setup: () => ({ pkg: pluginPackage({ id: 'dev.mcpg.test.gate' }) }),
      reason: 'SignatureMissing',
      message: /no plugin.sig/,
      check: { signatureValid: false },
    },
    {
      name: 'wrong-signer',
      why: 'cosign signed with a key that is not trusted',
      setup: () => ({ sign: otherCosign }),
      reason: 'SignatureInvalid',
      message: /0\/1 cosign signatures verified: the signature does not verify with the cosign key/,
      check: { signatureValid: true, cosignVerified: false },
    },
    {
      name: 'wrong-bundle-signer',
      why: 'a bundle signature is by a key that is not trusted',
      setup: () => ({ sign: otherCosign, format: 'bundle' as const }),
      reason: 'SignatureInvalid',
      message: /0\/1 cosign signatures verified: the bundle signature does not verify with the cosign key/,
      check: { signatureValid: true, cosignVerified: false },
    },
    {
      name: 'no-cosign',
      why: 'there is no cosign signature at all',
      setup: () => ({ sign: false as const }),
      reason: 'SignatureMissing',
      message: /no sha256-[a-f0-9]{64}\.sig tag and no Sigstore bundle among its referrers/,
      check: { cosignVerified: false },
    },
    {
      name: 'wrong-id',
      why: 'the descriptor id differs from spec.pluginId',
      setup: () => ({ pkg: pluginPackage({ id: 'dev.mcpg.other', signer }) }),
      reason: 'DescriptorMismatch',
      message: /says id "dev.mcpg.other", not spec.pluginId "dev.mcpg.test.gate"/,
      check: {},
    },
  ])('refuses a plugin when $why', async ({ name, setup, reason, message, check }) => {
    const { status } = await verifyPlugin(name, setup());
    expect(condition(status, 'Verified')).toMatchObject({ status: 'False', reason });
    expect(condition(status, 'Verified')?.message).toMatch(message);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'VerificationFailed' });
    expect(status).toMatchObject(check);
    expect(status.artifact).toBeUndefined();
  });

  it('refuses bytes that do not match their digest, from a registry that corrupts blobs', async () => {
    const { status } = await verifyPlugin('corrupted', { host: proxy.host });
    expect(condition(status, 'Pulled')).toMatchObject({ status: 'False', reason: 'DigestMismatch' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'DigestMismatch' });
    expect(status.artifact).toBeUndefined();
    expect(status.resolvedDigest).toBeUndefined();
  });

  it('refuses a manifest over the size limit before reading it', async () => {
    const padded = pluginPackage({ id: 'dev.mcpg.test.gate', signer });
    const digest = await pushPlugin(`${registry.host}/plugins/huge:1.0.0`, padded, {
      annotations: { padding: 'x'.repeat(MANIFEST_LIMIT) },
    });
    const full = `huge-${suffix()}`;
    await apply(kube, plugin(full, `${registry.host}/plugins/huge:1.0.0@${digest}`, bothKeys));
    expect(await poke('MCPGPlugin', full)).toBe(204);
    const status = await vi.waitFor(async () => {
      const current = (await readPlugin(full)).status;
      expect(condition(current, 'Pulled')).toMatchObject({ status: 'False', reason: 'TooLarge' });
      return current ?? {};
    });
    expect(condition(status, 'Pulled')?.message).toMatch(/over the 65536-byte limit/);
    expect(status.artifact).toBeUndefined();
  });

  it('fails closed when the signing key Secret is missing, naming it', async () => {
    const { status } = await verifyPlugin('no-key', { trust: { signingKeyRef: { secretName: 'absent' } } });
    expect(condition(status, 'Verified')).toMatchObject({ status: 'False', reason: 'KeyUnavailable' });
    expect(condition(status, 'Verified')?.message).toContain(
      `Secret ${namespace.name}/absent does not exist`,
    );
  });

  it.each([
    {
      name: 'provenance-ok',
      signedBy: 'release',
      tag: 'refs/tags/v1.0.0',
      ready: 'True',
      reason: 'Verified',
    },
    {
      name: 'provenance-foreign',
      signedBy: 'stranger',
      tag: 'refs/tags/v1.0.0',
      ready: 'False',
      reason: 'ProvenanceUnsigned',
    },
    {
      name: 'provenance-wrong-tag',
      signedBy: 'release',
      tag: 'refs/heads/main',
      ready: 'False',
      reason: 'ProvenanceMismatch',
    },
  ])(
    'checks SLSA provenance signed by a trusted key: $name',
    async ({ name, signedBy, tag, ready, reason }) => {
      const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer });
      const key = signedBy === 'release' ? signer.privateKey : ed25519Pair().privateKey;
      const line = provenanceLine(
        pkg.binarySha256,
        { repository: 'https://github.com/mcpg-dev/plugins', ref: tag },
        key,
      );
      await kube.core.createNamespacedConfigMap({
        namespace: namespace.name,
        body: { metadata: { name }, data: { 'provenance.intoto.jsonl': `${line}\n` } },
      });
      const trust = {
        signingKeyRef: { secretName: 'release-key' },
        slsaProvenance: {
          configMapName: name,
          sourceUri: 'https://github.com/mcpg-dev/plugins',
          sourceTag: 'refs/tags/v1.0.0',
        },
      };
      const { status } = await verifyPlugin(name, { pkg, trust, sign: false });
      expect(condition(status, 'Ready')?.status).toBe(ready);
      if (ready === 'True') expect(status.slsaVerified).toBe(true);
      else {
        expect(condition(status, 'Verified')).toMatchObject({ status: 'False', reason });
        expect(status).toMatchObject({ slsaVerified: false, signatureValid: true });
      }
    },
  );

  describe('revocation lists', () => {
    const listName = () => `revoked-${suffix()}`;
    const list = (revocations: Record<string, unknown>[]) => ({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGRevocationList',
      metadata: { name: listName() },
      spec: { revocations },
    });
    const cosignKeySha = () =>
      createHash('sha256')
        .update(createPublicKey(cosign.publicPem).export({ format: 'der', type: 'spki' }))
        .digest('hex');

    afterAll(async () => {
      await kubeRequest(kube.config, {
        method: 'DELETE',
        path: `/apis/mcpg.dev/v1alpha2/mcpgrevocationlists/${listName()}`,
      }).catch(() => undefined);
    });

    it.each([
      {
        by: 'the plugin binary sha256 (upper case)',
        reason: 'ArtifactRevoked',
        entry: (f: Facts) => ({ artifactSha256: f.binarySha256.toUpperCase() }),
      },
      { by: 'the OCI digest', reason: 'DigestRevoked', entry: (f: Facts) => ({ ociDigest: f.digest }) },
      { by: 'the cosign key', reason: 'KeyRevoked', entry: () => ({ publicKeySha256: cosignKeySha() }) },
    ])('revokes at once by $by, and restores when the entry goes', async ({ reason, entry }) => {
      const { full, digest, pkg } = await verifyPlugin(`rev-${reason.toLowerCase()}`);
      await apply(
        kube,
        list([{ ...entry({ binarySha256: pkg.binarySha256, digest }), reason: 'compromised build' }]),
      );
      expect(await poke('MCPGRevocationList', listName())).toBe(204);
      const revoked = (await readPlugin(full)).status;
      expect(condition(revoked, 'Revoked')).toMatchObject({ status: 'True', reason });
      expect(condition(revoked, 'Revoked')?.message).toContain(`revocation list ${listName()} revokes`);
      expect(condition(revoked, 'Ready')).toMatchObject({ status: 'False', reason: 'Revoked' });
      expect(revoked?.revokedBySha).toBe(true);
      expect(revoked?.artifact).toBeUndefined();
      const listStatus = await kubeRequest<{
        status?: { pluginsBlocked?: string[]; observedRevocations?: number };
      }>(kube.config, {
        method: 'GET',
        path: `/apis/mcpg.dev/v1alpha2/mcpgrevocationlists/${listName()}`,
      });
      expect(listStatus.status?.observedRevocations).toBe(1);
      expect(listStatus.status?.pluginsBlocked).toContain(full);
      // A revoked key blocks every plugin it signed, not just this one.
      if (reason === 'KeyRevoked') expect(listStatus.status?.pluginsBlocked).toContain(`good-${suffix()}`);
      else expect(listStatus.status?.pluginsBlocked).toEqual([full]);

      await apply(kube, list([]));
      expect(await poke('MCPGRevocationList', listName())).toBe(204);
      const restored = (await readPlugin(full)).status;
      expect(condition(restored, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
      expect(restored?.artifact).toBe(`${registry.host}/plugins/rev-${reason.toLowerCase()}@${digest}`);
    });
  });

  describe('mirrors', () => {
    const mirror = (name: string, port: number) => ({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPluginMirror',
      metadata: { name },
      spec: {
        endpoint: { service: { namespace: namespace.name, name: 'mirror', port }, insecure: true },
        upstream: { registry: 'ghcr.io', namespace: 'mcpg-dev' },
      },
    });
    const readMirror = (name: string) =>
      kubeRequest<{ status?: { reachable?: boolean; endpointHost?: string; conditions?: Condition[] } }>(
        kube.config,
        {
          method: 'GET',
          path: `/apis/mcpg.dev/v1alpha2/mcpgpluginmirrors/${name}`,
        },
      );

    it('reports a mirror reachable only when its registry answers GET /v2/', async () => {
      const up = `up-${suffix()}`;
      const down = `down-${suffix()}`;
      await apply(kube, mirror(up, 5000));
      await apply(kube, mirror(down, 5001));
      expect(await poke('MCPGPluginMirror', up)).toBe(204);
      expect(await poke('MCPGPluginMirror', down)).toBe(204);
      const reachable = (await readMirror(up)).status;
      expect(reachable).toMatchObject({ reachable: true, endpointHost: mirrorHost() });
      expect(reachable?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'True',
        reason: 'Reachable',
      });
      const unreachable = (await readMirror(down)).status;
      expect(unreachable?.reachable).toBe(false);
      expect(unreachable?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'Unreachable',
      });
    });

    it('pulls a mirrored plugin and its cosign signature from the mirror, never from upstream', async () => {
      const name = `via-${suffix()}`;
      await apply(kube, mirror(name, 5000));
      const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer });
      // Only the mirror holds the artifact; ghcr.io is not reachable from the test bed at all.
      const digest = await pushPlugin(`${registry.host}/mcpg-dev/plugins/mirrored:1.0.0`, pkg);
      await cosignSignClassic(`${registry.host}/mcpg-dev/plugins/mirrored@${digest}`, cosign);
      const full = `mirrored-${suffix()}`;
      await apply(
        kube,
        plugin(full, `ghcr.io/mcpg-dev/plugins/mirrored:1.0.0@${digest}`, bothKeys, { mirrorRef: { name } }),
      );
      expect(await poke('MCPGPlugin', full)).toBe(204);
      const status = (await readPlugin(full)).status;
      expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
      expect(status?.artifact).toBe(`${mirrorHost()}/mcpg-dev/plugins/mirrored@${digest}`);
      expect(status?.cosignVerified).toBe(true);

      const down = `down-pull-${suffix()}`;
      await apply(kube, mirror(down, 5001));
      const unreachable = `unreachable-${suffix()}`;
      await apply(
        kube,
        plugin(unreachable, `ghcr.io/mcpg-dev/plugins/mirrored:1.0.0@${digest}`, bothKeys, {
          mirrorRef: { name: down },
        }),
      );
      expect(await poke('MCPGPlugin', unreachable)).toBe(204);
      const failed = (await readPlugin(unreachable)).status;
      expect(condition(failed, 'Pulled')).toMatchObject({ status: 'False', reason: 'PullFailed' });
      expect(condition(failed, 'Pulled')?.message).toContain(
        `mirror.${namespace.name}.svc.cluster.local:5001`,
      );
      expect(failed?.artifact).toBeUndefined();
    });

    it('verifies upstream, then mirrors the artifact with its classic and bundle signatures; refuses to mirror what does not verify', async () => {
      const name = `sync-${suffix()}`;
      await apply(kube, {
        ...mirror(name, 5002),
        spec: { ...mirror(name, 5002).spec, upstream: { registry: registry.host, namespace: 'mcpg-dev' } },
      });
      const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer });
      const digest = await pushPlugin(`${registry.host}/mcpg-dev/plugins/synced:1.0.0`, pkg);
      await cosignSign(`${registry.host}/mcpg-dev/plugins/synced@${digest}`, cosign, 'classic');
      await cosignSign(`${registry.host}/mcpg-dev/plugins/synced@${digest}`, cosign, 'bundle');
      const bad = pluginPackage({ id: 'dev.mcpg.test.gate', signer });
      const badDigest = await pushPlugin(`${registry.host}/mcpg-dev/plugins/unsigned:1.0.0`, bad);
      const good = `synced-${suffix()}`;
      const refused = `unsigned-${suffix()}`;
      const via = { mirrorRef: { name } };
      await apply(
        kube,
        plugin(good, `${registry.host}/mcpg-dev/plugins/synced:1.0.0@${digest}`, bothKeys, via),
      );
      await apply(
        kube,
        plugin(refused, `${registry.host}/mcpg-dev/plugins/unsigned:1.0.0@${badDigest}`, bothKeys, via),
      );

      expect(await poke('MCPGPluginMirror', name)).toBe(204);
      const synced = (await readMirror(name)).status?.conditions?.find((c) => c.type === 'Synced');
      expect(synced).toMatchObject({ status: 'False', reason: 'NotMirrored' });
      expect(synced?.message).toMatch(
        new RegExp(`1 of 2 plugin\\(s\\) not mirrored: ${refused}: not verified upstream: no cosign signature for sha256:`),
      );
      const tags = (await (
        await fetch(`${mirrorRegistry.url}/v2/mcpg-dev/plugins/synced/tags/list`)
      ).json()) as { tags: string[] };
      const hex = digest.slice(7);
      expect(tags.tags.sort()).toEqual(['1.0.0', `sha256-${hex}`, `sha256-${hex}.sig`]);
      expect((await fetch(`${mirrorRegistry.url}/v2/mcpg-dev/plugins/unsigned/tags/list`)).status).toBe(404);

      expect(await poke('MCPGPlugin', good)).toBe(204);
      const status = (await readPlugin(good)).status;
      expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
      expect(status?.artifact).toBe(`${syncedMirrorHost()}/mcpg-dev/plugins/synced@${digest}`);
      expect(status?.cosignVerified).toBe(true);
    });

    it('fails closed when the mirror does not cover the reference or does not exist', async () => {
      const missing = `no-mirror-${suffix()}`;
      await apply(
        kube,
        plugin(missing, `ghcr.io/mcpg-dev/plugins/x:1.0.0@sha256:${'a'.repeat(64)}`, bothKeys, {
          mirrorRef: { name: 'absent' },
        }),
      );
      expect(await poke('MCPGPlugin', missing)).toBe(204);
      expect(condition((await readPlugin(missing)).status, 'Pulled')).toMatchObject({
        status: 'False',
        reason: 'MirrorUnresolved',
      });

      const name = `mirrored-${suffix()}`;
      await apply(kube, mirror(name, 5000));
      const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer });
      // The artifact exists only "upstream" under another namespace, so the rewrite does not apply.
      const { status } = await verifyPlugin('outside', {
        pkg,
        host: 'ghcr.io',
        oci: { mirrorRef: { name } },
      });
      expect(condition(status, 'Pulled')).toMatchObject({ status: 'False', reason: 'MirrorUnresolved' });
      expect(condition(status, 'Pulled')?.message).toContain('is not under');
    });
  });

  it('makes no API write when a resync finds nothing changed', async () => {
    expect(await fn.ping()).toBe(204);
    await vi.waitFor(
      async () => {
        const before = await fn.metric('mcpg_kube_api_requests', { verb: 'write' });
        expect(await fn.ping()).toBe(204);
        expect(await fn.metric('mcpg_kube_api_requests', { verb: 'write' })).toBe(before);
      },
      { timeout: 30_000, interval: 500 },
    );
  });
});

interface Facts {
  binarySha256: string;
  digest: string;
}
