import { afterAll, describe, expect, it } from 'vitest';
import { PLUGIN_TYPES, pluginPackage } from '../../registry/artifacts.ts';
import { sha256 } from '../../registry/hostile-registry.ts';
import { CREDENTIALS, INTERNAL_DETAIL, useRegistrySecurityBed } from './registry-bed.ts';

const basic = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;

/** A plugin artifact served by the hostile registry in `repository`; returns its manifest digest. */
function hostPlugin(
  put: (repository: string, manifest: unknown, blobs: Buffer[]) => string,
  repository: string,
) {
  const pkg = pluginPackage({ id: 'dev.mcpg.test.gate' });
  const config = Buffer.from('{}');
  return put(
    repository,
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: PLUGIN_TYPES.artifact,
      config: { mediaType: PLUGIN_TYPES.config, digest: sha256(config), size: config.length },
      layers: [{ mediaType: PLUGIN_TYPES.package, digest: sha256(pkg.zip), size: pkg.zip.length }],
    },
    [config, pkg.zip],
  );
}

// Where a registry may send the function, and with which credentials: redirects only for blobs and never to
// an address nobody allowed, token services only on the registry's own host, credentials only to the registry
// the pull secret names exactly, and never again to a host a redirect led to.
describe('a registry trying to steer the supply chain and its credentials', () => {
  const bed = useRegistrySecurityBed('sec-credentials');
  const image = (mode: string) => `${bed.parts.hostile.host}/${mode}/app@sha256:${'5'.repeat(64)}`;

  afterAll(() => {
    expect(bed.parts.canary.connections()).toBe(0);
  });

  it('does not follow a redirect of a manifest', async () => {
    const refused = await bed.judgeServer('redirect-manifest', { image: image('redirect-manifest') });
    expect(refused).toMatchObject({ status: 'False', reason: 'PullFailed' });
    expect(refused.message).toMatch(/answered with a redirect, which is followed only for blobs/);
  });

  it('follows a blob redirect only to an address it may reach', async () => {
    const digest = hostPlugin(bed.parts.hostile.put, 'redirect-blob/plugin');
    const { pulled } = await bed.judgePlugin('redirect-blob', {
      image: `${bed.parts.hostile.host}/redirect-blob/plugin@${digest}`,
    });
    expect(pulled).toMatchObject({ status: 'False', reason: 'RegistryRefused' });
    expect(pulled.message).toMatch(
      /127\.0\.0\.1 resolves to a loopback, link-local, private or cluster-internal/,
    );
    expect(pulled.message).not.toMatch(INTERNAL_DETAIL);
  });

  it('never answers a storage host that asks for the credentials the registry was given', async () => {
    const digest = hostPlugin(bed.parts.hostile.put, 'storage-401/plugin');
    const { pulled } = await bed.judgePlugin('storage-401', {
      image: `${bed.parts.hostile.host}/storage-401/plugin@${digest}`,
      pullSecretRef: { name: 'exact-pull-secret' },
    });
    expect(pulled).toMatchObject({ status: 'False', reason: 'PullFailed' });
    expect(pulled.message).toMatch(/the location the registry redirected to refused it/);
    // The registry got the credentials (it asked for them); the storage host it redirected to never did.
    expect(
      bed.parts.hostile.seen.some((r) => r.path.includes('/storage-401/') && r.authorization === basic),
    ).toBe(true);
    expect(bed.parts.storage.seen.length).toBeGreaterThan(0);
    expect(bed.parts.storage.seen.every((r) => r.authorization === undefined)).toBe(true);
  });

  it.each([
    { mode: 'realm-http', message: /its token service is not HTTPS; no token was asked for/ },
    {
      mode: 'realm-https',
      message: /resolves to a loopback, link-local, private or cluster-internal address/,
    },
    {
      mode: 'realm-foreign',
      message:
        /its token service is on tokens\.attacker\.example, neither the registry's host nor one the operator allows/,
    },
  ])('refuses the token service of a $mode challenge', async ({ mode, message }) => {
    const refused = await bed.judgeServer(mode, {
      image: image(mode),
      imagePullSecrets: [{ name: 'exact-pull-secret' }],
    });
    expect(refused).toMatchObject({ status: 'False', reason: 'RegistryRefused' });
    expect(refused.message).toMatch(message);
    expect(refused.message).not.toMatch(INTERNAL_DETAIL);
  });

  it('gives a registry only the credentials its exact host is listed under, never those of a longer name', async () => {
    const refused = await bed.judgeServer('prefix-secret', {
      image: image('basic'),
      imagePullSecrets: [{ name: 'prefix-pull-secret' }],
    });
    expect(refused).toMatchObject({ status: 'False', reason: 'PullFailed' });
    expect(refused.message).toMatch(/requires credentials; set a pull secret/);
    const asked = bed.parts.hostile.seen.filter((r) => r.path.includes('/basic/'));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('keeps verifying a normal server after all of it', async () => {
    await bed.normalServerVerifies('normal-credentials');
  });
});
