import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../functions/supply-chain/src/oci/client.ts';
import { DigestCheck, sha256Digest } from '../../../functions/supply-chain/src/oci/digest.ts';
import { loopbackNetwork } from '../../registry/operator-access.ts';
import { startAuthProxy, type AuthProxy } from '../../registry/auth-proxy.ts';
import { startFaultyProxy } from '../../registry/faulty-proxy.ts';
import { pluginPackage, pushPlugin } from '../../registry/artifacts.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';

// The OCI client against a real registry (docker-registry on loopback): uploads, mounts, refusals, token auth.
describe('the OCI client against a real registry', () => {
  let registry: LocalRegistry;
  let auth: AuthProxy;
  const credentials = { username: 'robot', password: randomBytes(8).toString('hex') };
  // The operator names each loopback registry; nothing else on loopback is reachable.
  const at = (host: string) => ({ registry: host, plainHttp: true, network: loopbackNetwork(host) });
  const client = () => new RegistryClient(at(registry.host));
  const blob = randomBytes(3 * 1024 * 1024 + 17);
  const descriptor = { digest: sha256Digest(blob), size: blob.length };
  const fetchBlob = async (repository: string) =>
    Buffer.from(
      await (await fetch(`${registry.url}/v2/${repository}/blobs/${descriptor.digest}`)).arrayBuffer(),
    );

  beforeAll(async () => {
    registry = await startRegistry({ name: 'oci-client-registry' });
    auth = await startAuthProxy(registry.url, credentials);
  });

  afterAll(async () => {
    await auth.close();
    await registry.stop();
  });

  it('streams an upload, then skips the blob once it is there', async () => {
    expect(
      await client().pushBlob('a/stream', descriptor, () => Promise.resolve(Readable.from([blob]))),
    ).toBe('uploaded');
    expect((await fetchBlob('a/stream')).equals(blob)).toBe(true);
    expect(await client().pushBlob('a/stream', descriptor, () => Promise.reject(new Error('not read')))).toBe(
      'exists',
    );
  });

  it('uploads in chunks with Content-Range when a chunk size is set', async () => {
    const chunked = new RegistryClient({ ...at(registry.host), chunkSize: 1024 * 1024 });
    const pieces = [blob.subarray(0, 100), blob.subarray(100, 2_500_000), blob.subarray(2_500_000)];
    expect(
      await chunked.pushBlob('a/chunked', descriptor, () => Promise.resolve(Readable.from(pieces))),
    ).toBe('uploaded');
    expect((await fetchBlob('a/chunked')).equals(blob)).toBe(true);
  });

  it('mounts a blob from another repository instead of uploading it', async () => {
    expect(
      await client().pushBlob(
        'b/mounted',
        descriptor,
        () => Promise.reject(new Error('not read')),
        'a/stream',
      ),
    ).toBe('mounted');
    expect((await fetchBlob('b/mounted')).equals(blob)).toBe(true);
  });

  it('commits nothing when the source bytes do not match their digest', async () => {
    // The bytes of the blob, announced under another digest: the check fails at the end of the stream.
    const wrong = { digest: sha256Digest(Buffer.from('other')), size: blob.length };
    const open = () =>
      Promise.resolve(
        Readable.from([blob]).pipe(new DigestCheck({ ...wrong, limit: blob.length, what: 'the source' })),
      );
    await expect(client().pushBlob('c/corrupt', wrong, open)).rejects.toMatchObject({
      code: 'DigestMismatch',
    });
    expect(await client().hasBlob('c/corrupt', wrong.digest)).toBe(false);
    expect(await client().hasBlob('c/corrupt', descriptor.digest)).toBe(false);
  });

  it('obtains a bearer token with the credentials and pulls through a registry that demands one', async () => {
    const pkg = pluginPackage({ id: 'dev.mcpg.auth' });
    const digest = await pushPlugin(`${registry.host}/private/plugin:1`, pkg);
    const authed = new RegistryClient({ ...at(auth.host), credentials });
    const manifest = await authed.manifest('private/plugin', digest);
    expect(manifest.digest).toBe(digest);
    expect(auth.scopes).toContain('repository:private/plugin:pull');
    await expect(new RegistryClient(at(auth.host)).manifest('private/plugin', digest)).rejects.toMatchObject({
      code: 'Unauthorized',
    });
    const wrong = new RegistryClient({
      ...at(auth.host),
      credentials: { ...credentials, password: 'wrong' },
    });
    await expect(wrong.manifest('private/plugin', digest)).rejects.toThrow(
      /refused \(HTTP 401\); check the pull secret/,
    );
  });

  it('fails a blob download that stalls, instead of waiting for ever', async () => {
    const stalling = await startFaultyProxy(registry.url, 'stall');
    try {
      const impatient = new RegistryClient({ ...at(stalling.host), timeoutMs: 500 });
      const started = Date.now();
      await expect(impatient.blob('a/stream', descriptor, blob.length)).rejects.toMatchObject({
        code: 'Unreachable',
        message: expect.stringMatching(/failed: the transfer stalled$/) as unknown,
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await stalling.close();
    }
  });

  it('answers the referrers of a digest with none when there are none', async () => {
    expect(await client().referrers('a/stream', descriptor.digest)).toEqual([]);
  });
});
