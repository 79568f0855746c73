import { afterAll, describe, expect, it } from 'vitest';
import { PLUGIN_TYPES } from '../../registry/artifacts.ts';
import { REFERRER_FLOOD, sha256 } from '../../registry/hostile-registry.ts';
import { keylessSignature, leafCertificate, pushKeylessSignature } from '../../registry/keyless.ts';
import { pushImage } from '../../registry/artifacts.ts';
import { zipBombs } from '../../registry/zip-bombs.ts';
import { PLUGIN_MAX_BYTES, useRegistrySecurityBed } from './registry-bed.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';

// A registry that makes the function work: bytes dripped forever, floods of referrers and layers, oversized
// manifests, zip bombs, and identity patterns that backtrack for ever in a backtracking engine. Every pass ends
// within its deadline with a status that says why, and the function keeps serving other objects meanwhile.
describe('a registry trying to exhaust the supply chain', () => {
  const bed = useRegistrySecurityBed('sec-exhaustion');
  const hostile = () => bed.parts.hostile;

  afterAll(() => {
    expect(bed.parts.canary.connections()).toBe(0);
  });

  function hostPackage(repository: string, zip: Buffer): string {
    const config = Buffer.from('{}');
    return hostile().put(
      repository,
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: PLUGIN_TYPES.artifact,
        config: { mediaType: PLUGIN_TYPES.config, digest: sha256(config), size: config.length },
        layers: [{ mediaType: PLUGIN_TYPES.package, digest: sha256(zip), size: zip.length }],
      },
      [config, zip],
    );
  }

  it('cuts off a registry that drips bytes at the pass deadline, serving other objects meanwhile', async () => {
    const normal = await bed.signedImage('normal-during-drip');
    let dripDone = false;
    const dripping = bed
      .judgeServer('drip', { image: `${hostile().host}/drip/app@sha256:${'6'.repeat(64)}` })
      .finally(() => {
        dripDone = true;
      });
    // While that pass waits on the drip, another object is verified from start to end.
    await bed.normalServerVerifies('normal-during-drip', normal);
    expect(dripDone).toBe(false);
    const refused = await dripping;
    expect(refused).toMatchObject({ status: 'False', reason: 'PullFailed' });
    expect(refused.message).toMatch(/not finished within the time a pass may take/);
  }, 60_000);

  it('refuses a flood of referrers instead of reading them', async () => {
    const digest = hostile().put('referrers/app', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers: [],
    });
    const refused = await bed.judgeServer('referrers', {
      image: `${hostile().host}/referrers/app@${digest}`,
    });
    expect(refused).toMatchObject({ status: 'False', reason: 'TooLarge' });
    expect(refused.message).toMatch(new RegExp(`${REFERRER_FLOOD} referrers, more than the 128 read`));
  });

  it('refuses a manifest listing thousands of layers', async () => {
    const layers = Array.from({ length: 3000 }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
      size: 1,
    }));
    const digest = hostile().put('honest/layers', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers,
    });
    const refused = await bed.judgeServer('layers', { image: `${hostile().host}/honest/layers@${digest}` });
    expect(refused).toMatchObject({ status: 'False', reason: 'TooLarge' });
    expect(refused.message).toMatch(/lists 3000 entries, more than the 64 read/);
  });

  it('stops reading an oversized manifest at the limit', async () => {
    const refused = await bed.judgeServer('oversized', {
      image: `${hostile().host}/oversized/app@sha256:${'7'.repeat(64)}`,
    });
    expect(refused).toMatchObject({ status: 'False', reason: 'TooLarge' });
    expect(refused.message).toMatch(/is over the 4194304-byte limit/);
  });

  it.each(zipBombs(PLUGIN_MAX_BYTES))(
    'refuses a package that $does, before inflating it',
    async ({ label, zip, refusal }) => {
      const repository = `honest/bomb-${label}`;
      const digest = hostPackage(repository, zip());
      const { pulled } = await bed.judgePlugin(`bomb-${label}`, {
        image: `${hostile().host}/${repository}@${digest}`,
      });
      expect(pulled).toMatchObject({ status: 'False', reason: 'ArtifactInvalid' });
      expect(pulled.message).toMatch(refusal);
    },
  );

  describe('identity patterns', () => {
    async function keylessSigned(name: string, subject: string): Promise<string> {
      const registry = bed.parts.registry.host;
      const repository = `servers/${name}`;
      const digest = await pushImage(`${registry}/${repository}:1`, name);
      const leaf = await leafCertificate(bed.parts.keyless, { subject, issuer: ISSUER });
      const image = { host: registry, repository, digest };
      await pushKeylessSignature(image, [keylessSignature(image, leaf, bed.parts.keyless)]);
      return `${registry}/${repository}@${digest}`;
    }
    const identity = (pattern: string) => ({
      verify: { cosignIdentity: { certificateIdentityRegexp: pattern, oidcIssuer: ISSUER } },
    });

    it('matches a catastrophic pattern in linear time, the function serving other objects meanwhile', async () => {
      const image = await keylessSigned('redos', `https://${'a'.repeat(40)}!`);
      const normal = await bed.signedImage('normal-during-redos');
      const pending = bed.judgeServer('redos', { image, ...identity('^https://(a+)+$') });
      await bed.normalServerVerifies('normal-during-redos', normal);
      const refused = await pending;
      expect(refused).toMatchObject({ status: 'False', reason: 'SignatureInvalid' });
      expect(refused.message).toMatch(/which the identity does not allow/);
    }, 60_000);

    it('keeps an alternation inside its anchors', async () => {
      const pattern = '^https://release\\.acme\\.example|https://ci\\.acme\\.example$';
      const escaped = await keylessSigned('escape', 'https://release.acme.example.attacker.example');
      const refused = await bed.judgeServer('escape', { image: escaped, ...identity(pattern) });
      expect(refused).toMatchObject({ status: 'False', reason: 'SignatureInvalid' });
      expect(refused.message).toMatch(
        /signed by https:\/\/release\.acme\.example\.attacker\.example, which the identity does not allow/,
      );
      const allowed = await keylessSigned('ci', 'https://ci.acme.example');
      expect(await bed.judgeServer('ci', { image: allowed, ...identity(pattern) })).toMatchObject({
        status: 'True',
        reason: 'Verified',
      });
    }, 60_000);
  });
});
