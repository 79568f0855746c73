import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, buildLayer, sha256, type ImageSpec } from '../../../images/builder/oci.ts';
import { sbomReferrer, spdxDocument } from '../../../images/builder/sbom.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-oci-test-'));
const program = path.join(dir, 'program');
writeFileSync(program, '#!/bin/true\n');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const spec = (content: string): ImageSpec => ({
  layers: [
    [
      { path: 'bin/program', source: program, mode: 0o755 },
      { path: 'etc/message', content },
    ],
  ],
  entrypoint: ['/bin/program'],
  user: '65532:65532',
  annotations: { 'org.opencontainers.image.revision': 'abc' },
});

describe('images built byte for byte', () => {
  it('give the same digest for the same inputs, and another for other inputs', async () => {
    const [first, second, other] = await Promise.all([
      buildImage(spec('hello')),
      buildImage(spec('hello')),
      buildImage(spec('bye')),
    ]);
    expect(second.manifest.descriptor.digest).toBe(first.manifest.descriptor.digest);
    expect(other.manifest.descriptor.digest).not.toBe(first.manifest.descriptor.digest);
  });

  it('hold root-owned, epoch-dated files the image user cannot change, and run as that user', async () => {
    const { layer, diffId } = await buildLayer(spec('hello').layers[0] as never);
    const tar = gunzipSync(layer.bytes);
    expect(sha256(tar)).toBe(diffId);
    const image = await buildImage(spec('hello'));
    const config = JSON.parse(image.config.bytes.toString()) as {
      architecture: string;
      os: string;
      config: { User: string; Entrypoint: string[] };
      rootfs: { diff_ids: string[] };
    };
    expect(config).toMatchObject({
      architecture: 'amd64',
      os: 'linux',
      config: { User: '65532:65532', Entrypoint: ['/bin/program'] },
    });
    expect(config.rootfs.diff_ids).toEqual([diffId]);
    // ustar header: mode at 100, uid at 108, gid at 116, mtime at 136 (octal text).
    const field = (offset: number, length: number) =>
      tar
        .subarray(offset, offset + length)
        .toString()
        .replace(/\0.*$/, '');
    const headers = [];
    for (let offset = 0; offset + 512 <= tar.length;) {
      const name = field(offset, 100);
      if (!name) break;
      const size = parseInt(field(offset + 124, 12), 8);
      headers.push({
        name,
        mode: parseInt(field(offset + 100, 8), 8),
        uid: field(offset + 108, 8),
        mtime: field(offset + 136, 12),
      });
      offset += 512 + Math.ceil(size / 512) * 512;
    }
    const files = headers.filter((h) => !h.name.includes('PaxHeaders'));
    expect(files.map((h) => h.name)).toEqual(['bin/program', 'etc/message']);
    for (const h of files) {
      expect(Number(h.uid)).toBe(0);
      expect(Number(h.mtime)).toBe(0);
      expect(h.mode & 0o022).toBe(0);
    }
  });

  it('carry their SBOM as a referrer whose subject is the image', async () => {
    const image = await buildImage(spec('hello'));
    const document = spdxDocument({ name: 'program', digest: image.manifest.descriptor.digest }, [
      { name: 'libc6', version: '2.36', purl: 'pkg:deb/debian/libc6@2.36?arch=amd64' },
    ]);
    const referrer = sbomReferrer(image.manifest.descriptor, document);
    const manifest = JSON.parse(referrer.manifest.bytes.toString()) as {
      artifactType: string;
      subject: { digest: string };
    };
    expect(manifest.artifactType).toBe('application/spdx+json');
    expect(manifest.subject.digest).toBe(image.manifest.descriptor.digest);
    expect(JSON.parse(document.toString())).toMatchObject({
      spdxVersion: 'SPDX-2.3',
      packages: [{ name: 'program' }, { name: 'libc6' }],
    });
  });
});
