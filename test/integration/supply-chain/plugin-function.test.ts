import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it, vi, afterAll } from 'vitest';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { apply } from '../support/crds.ts';
import { ed25519Pair, pluginPackage, provenanceLine, pushPlugin } from '../../registry/artifacts.ts';
import {
  keylessBundle,
  keylessSignature,
  leafCertificate,
  pushBundleReferrer,
  pushKeylessSignature,
  withTamperedProof,
} from '../../registry/keyless.ts';
import { MANIFEST_LIMIT, useSupplyChainBed } from './bed.ts';

// MCPGPlugin verification and revocation by the supply-chain function, against real registries and the real
// control plane: artifacts pushed with crane, signed with cosign and Ed25519.
describe('the supply-chain function verifying plugins', () => {
  const bed = useSupplyChainBed('supply');
  const { kube, namespace, suffix, readPlugin, condition, poke, plugin, bothKeys, verifyPlugin } = bed;

  it('verifies an Ed25519- and cosign-signed plugin and publishes the digest-pinned artifact', async () => {
    const { digest, pkg, status } = await verifyPlugin('good');
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(condition(status, 'Verified')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(condition(status, 'Revoked')).toMatchObject({ status: 'False', reason: 'NotRevoked' });
    expect(status).toMatchObject({
      artifact: `${bed.registry.host}/plugins/good@${digest}`,
      resolvedDigest: `sha256:${pkg.binarySha256}`,
      signatureValid: true,
      cosignVerified: true,
    });
  });

  it('verifies a plugin signed in the Sigstore bundle format, found through the referrers tag fallback', async () => {
    const { digest, status } = await verifyPlugin('bundled', { format: 'bundle' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(status).toMatchObject({
      artifact: `${bed.registry.host}/plugins/bundled@${digest}`,
      cosignVerified: true,
    });
  });

  it.each([
    {
      name: 'tampered',
      why: 'plugin.sig signs other bytes than the binary',
      setup: () => ({
        pkg: pluginPackage({
          id: 'dev.mcpg.test.gate',
          signer: bed.signer,
          signedBytes: Buffer.from('other'),
        }),
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
      setup: () => ({ sign: bed.otherCosign }),
      reason: 'SignatureInvalid',
      message: /0\/1 cosign signatures verified: the signature does not verify with the cosign key/,
      check: { signatureValid: true, cosignVerified: false },
    },
    {
      name: 'wrong-bundle-signer',
      why: 'a bundle signature is by a key that is not trusted',
      setup: () => ({ sign: bed.otherCosign, format: 'bundle' as const }),
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
      setup: () => ({ pkg: pluginPackage({ id: 'dev.mcpg.other', signer: bed.signer }) }),
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

  it('pulls from a registry that demands a token, with the dockerconfigjson pull secret', async () => {
    const host = bed.authProxy.host;
    const { status } = await verifyPlugin('private', {
      host,
      oci: { pullSecretRef: { name: 'pull-secret' } },
    });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(status.artifact).toMatch(new RegExp(`^${host}/plugins/private@sha256:`));
    const anonymous = await verifyPlugin('private-anonymous', { host });
    expect(condition(anonymous.status, 'Pulled')).toMatchObject({ status: 'False', reason: 'PullFailed' });
    expect(condition(anonymous.status, 'Pulled')?.message).toMatch(
      /refused \(HTTP 401\); check the pull secret/,
    );
  });

  it('refuses bytes that do not match their digest, from a registry that corrupts blobs', async () => {
    const { status } = await verifyPlugin('corrupted', { host: bed.proxy.host });
    expect(condition(status, 'Pulled')).toMatchObject({ status: 'False', reason: 'DigestMismatch' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'DigestMismatch' });
    expect(status.artifact).toBeUndefined();
    expect(status.resolvedDigest).toBeUndefined();
  });

  it('refuses a manifest over the size limit before reading it', async () => {
    const padded = pluginPackage({ id: 'dev.mcpg.test.gate', signer: bed.signer });
    const digest = await pushPlugin(`${bed.registry.host}/plugins/huge:1.0.0`, padded, {
      annotations: { padding: 'x'.repeat(MANIFEST_LIMIT) },
    });
    const full = `huge-${suffix()}`;
    await apply(kube, plugin(full, `${bed.registry.host}/plugins/huge:1.0.0@${digest}`, bothKeys));
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
      const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer: bed.signer });
      const key = signedBy === 'release' ? bed.signer.privateKey : ed25519Pair().privateKey;
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

  describe('keyless signatures, against a local CA and log key in the trusted root', () => {
    const subject = 'https://github.com/mcpg-dev/plugins/.github/workflows/release.yml@refs/tags/v1.0.0';
    const issuer = 'https://token.actions.githubusercontent.com';
    const trust = {
      cosignIdentity: { certificateIdentityRegexp: '^https://github\\.com/mcpg-dev/.*$', oidcIssuer: issuer },
    };

    async function keylessPlugin(name: string, leafIssuer: string, loggedAt?: Date) {
      const pkg = pluginPackage({ id: 'dev.mcpg.test.gate' });
      const digest = await pushPlugin(`${bed.registry.host}/plugins/${name}:1.0.0`, pkg);
      const leaf = await leafCertificate(bed.keyless, { subject, issuer: leafIssuer });
      const image = { host: bed.registry.host, repository: `plugins/${name}`, digest };
      await pushKeylessSignature(image, [keylessSignature(image, leaf, bed.keyless, loggedAt)]);
      const full = `${name}-${suffix()}`;
      // Keyless plugins may name a tag only: the pulled digest is what the signature must name.
      await apply(kube, plugin(full, `${bed.registry.host}/plugins/${name}:1.0.0`, trust));
      expect(await poke('MCPGPlugin', full)).toBe(204);
      return { full, digest, status: (await readPlugin(full)).status };
    }

    it('verifies the signer, pins the tag to the pulled digest, and revokes by signer identity', async () => {
      const { full, digest, status } = await keylessPlugin('keyless', issuer);
      expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
      expect(status).toMatchObject({
        artifact: `${bed.registry.host}/plugins/keyless@${digest}`,
        cosignVerified: true,
      });

      const list = `signers-${suffix()}`;
      const revokeSigner = (revocations: unknown[]) =>
        apply(kube, {
          apiVersion: 'mcpg.dev/v1alpha2',
          kind: 'MCPGRevocationList',
          metadata: { name: list },
          spec: { revocations },
        });
      await revokeSigner([{ signerIdentity: { subject, issuer }, reason: 'workflow compromised' }]);
      expect(await poke('MCPGRevocationList', list)).toBe(204);
      expect(condition((await readPlugin(full)).status, 'Revoked')).toMatchObject({
        status: 'True',
        reason: 'SignerRevoked',
      });
      await revokeSigner([]);
      expect(await poke('MCPGRevocationList', list)).toBe(204);
      expect(condition((await readPlugin(full)).status, 'Ready')).toMatchObject({ status: 'True' });
      await kubeRequest(kube.config, {
        method: 'DELETE',
        path: `/apis/mcpg.dev/v1alpha2/mcpgrevocationlists/${list}`,
      });
    });

    async function bundledPlugin(name: string, tamper = (bundle: Record<string, unknown>) => bundle) {
      const pkg = pluginPackage({ id: 'dev.mcpg.test.gate' });
      const digest = await pushPlugin(`${bed.registry.host}/plugins/${name}:1.0.0`, pkg);
      const leaf = await leafCertificate(bed.keyless, { subject, issuer });
      const bundle = tamper(keylessBundle(digest, leaf, bed.keyless));
      await pushBundleReferrer(bed.registry.url, `plugins/${name}`, digest, bundle);
      const full = `${name}-${suffix()}`;
      await apply(kube, plugin(full, `${bed.registry.host}/plugins/${name}:1.0.0@${digest}`, trust));
      expect(await poke('MCPGPlugin', full)).toBe(204);
      return (await readPlugin(full)).status;
    }

    it('verifies a keyless Sigstore bundle and its inclusion proof, found through the referrers tag', async () => {
      const status = await bundledPlugin('keyless-bundle');
      expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
      expect(status?.cosignVerified).toBe(true);
    });

    it('refuses a keyless bundle whose inclusion proof was tampered with, naming the step that failed', async () => {
      const status = await bundledPlugin('keyless-forged-proof', withTamperedProof);
      expect(condition(status, 'Verified')).toMatchObject({ status: 'False', reason: 'SignatureInvalid' });
      expect(condition(status, 'Verified')?.message).toMatch(
        /inclusion proof does not lead to the root hash it names: leaf \d+ of a tree of \d+ leads to/,
      );
      expect(condition(status, 'Ready')).toMatchObject({ status: 'False' });
      expect(status?.artifact).toBeUndefined();
    });

    it.each([
      {
        name: 'keyless-issuer',
        why: 'another OIDC issuer',
        leafIssuer: 'https://accounts.google.com',
        at: undefined,
        message: /issued by https:\/\/accounts.google.com, not/,
      },
      {
        name: 'keyless-expired',
        why: 'a certificate that had expired when the signature was logged',
        leafIssuer: issuer,
        at: new Date(Date.now() + 3 * 86_400_000),
        message: /was not valid when the signature was logged/,
      },
    ])('refuses $why', async ({ name, leafIssuer, at, message }) => {
      const { status } = await keylessPlugin(name, leafIssuer, at);
      expect(condition(status, 'Verified')).toMatchObject({ status: 'False', reason: 'SignatureInvalid' });
      expect(condition(status, 'Verified')?.message).toMatch(message);
      expect(status?.artifact).toBeUndefined();
    });
  });

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
        .update(createPublicKey(bed.cosign.publicPem).export({ format: 'der', type: 'spki' }))
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
      expect(restored?.artifact).toBe(`${bed.registry.host}/plugins/rev-${reason.toLowerCase()}@${digest}`);
    });
  });

  it('makes no API write when a resync finds nothing changed', async () => {
    expect(await bed.fn.ping()).toBe(204);
    await vi.waitFor(
      async () => {
        const before = await bed.fn.metric('mcpg_kube_api_requests', { verb: 'write' });
        expect(await bed.fn.ping()).toBe(204);
        expect(await bed.fn.metric('mcpg_kube_api_requests', { verb: 'write' })).toBe(before);
      },
      { timeout: 30_000, interval: 500 },
    );
  });
});

interface Facts {
  binarySha256: string;
  digest: string;
}
