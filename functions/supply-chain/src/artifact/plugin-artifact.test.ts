import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../../test/registry/zip-writer.ts';
import { zipBombs } from '../../../../test/registry/zip-bombs.ts';
import { readPackage } from './plugin-artifact.ts';

const limits = { packageBytes: 1024 };
const yaml = 'id: dev.mcpg.x\n';

describe('readPackage', () => {
  it.each([{ deflate: false }, { deflate: true }])(
    'reads plugin.yaml, plugin.so and plugin.sig (deflate $deflate)',
    async ({ deflate }) => {
      const pkg = await readPackage(
        writeZip({ 'plugin.yaml': yaml, 'plugin.so': 'ELF', 'plugin.sig': 'sig' }, { deflate }),
        limits,
      );
      expect(pkg).toMatchObject({
        id: 'dev.mcpg.x',
        binary: Buffer.from('ELF'),
        signature: Buffer.from('sig'),
      });
      expect(pkg.binarySha256).toMatch(/^[a-f0-9]{64}$/);
    },
  );

  it('accepts the signature next to the binary as plugin.so.sig', async () => {
    expect(
      (await readPackage(writeZip({ 'plugin.yaml': yaml, 'plugin.so': 'ELF', 'plugin.so.sig': 's' }), limits))
        .signature,
    ).toEqual(Buffer.from('s'));
  });

  it.each<{ name: string; files: Record<string, string>; error: RegExp }>([
    {
      name: 'a stray file',
      files: { 'plugin.yaml': yaml, 'plugin.so': 'x', 'run.sh': 'x' },
      error: /files it may not: run.sh/,
    },
    {
      name: 'a WebAssembly plugin',
      files: { 'plugin.yaml': yaml, 'plugin.wasm': 'x' },
      error: /WebAssembly plugins/,
    },
    { name: 'no binary', files: { 'plugin.yaml': yaml }, error: /no plugin.so/ },
    { name: 'no descriptor', files: { 'plugin.so': 'x' }, error: /no plugin.yaml/ },
    {
      name: 'a descriptor without id',
      files: { 'plugin.yaml': 'name: x\n', 'plugin.so': 'x' },
      error: /no string "id"/,
    },
    {
      name: 'a file over the limit',
      files: { 'plugin.yaml': yaml, 'plugin.so': 'x'.repeat(2048) },
      error: /over the 1024-byte limit/,
    },
  ])('refuses $name', async ({ files, error }) => {
    await expect(readPackage(writeZip(files, { deflate: true }), limits)).rejects.toThrow(error);
  });

  it('refuses bytes that are not a zip', async () => {
    await expect(readPackage(Buffer.from('not a zip at all, just some bytes'), limits)).rejects.toThrow(
      /not a valid zip/,
    );
  });

  describe('zip bombs, judged before anything is inflated', () => {
    const big = { packageBytes: 8 * 1024 * 1024 };

    it.each(zipBombs(big.packageBytes))('refuses a package that $does', async ({ zip, refusal }) => {
      await expect(readPackage(zip(), big)).rejects.toThrow(refusal);
    });

    it('reads a large binary that compresses as binaries do', async () => {
      const binary = randomBytes(2 * 1024 * 1024);
      const pkg = await readPackage(
        writeZip({ 'plugin.yaml': yaml, 'plugin.so': binary }, { deflate: true }),
        big,
      );
      expect(pkg.binary.equals(binary)).toBe(true);
    });
  });
});
