import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chunked } from './push.ts';
import { DigestCheck, sha256Digest } from './digest.ts';

async function drain(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('DigestCheck', () => {
  const bytes = Buffer.from('plugin bytes');
  const check = (expected: Partial<{ digest: string; size: number; limit: number }>) =>
    Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]).pipe(
      new DigestCheck({
        digest: sha256Digest(bytes),
        size: bytes.length,
        limit: 1024,
        what: 'blob',
        ...expected,
      }),
    );

  it('passes matching bytes through unchanged', async () => {
    expect(await drain(check({}))).toEqual(bytes);
  });

  it.each([
    {
      name: 'another digest',
      expected: { digest: sha256Digest(Buffer.from('x')) },
      error: /digest sha256:[a-f0-9]{64}, not/,
    },
    { name: 'another size', expected: { size: 3 }, error: /sent 12 bytes, not 3/ },
    { name: 'a limit passed', expected: { limit: 6 }, error: /larger than the 6-byte limit/ },
  ])('fails the stream for $name', async ({ expected, error }) => {
    await expect(drain(check(expected))).rejects.toThrow(error);
  });
});

describe('chunked', () => {
  it('regroups any pieces into fixed-size chunks with a short last one', async () => {
    const pieces = [Buffer.alloc(3, 1), Buffer.alloc(10, 2), Buffer.alloc(1, 3)];
    const sizes: number[] = [];
    for await (const chunk of chunked(Readable.from(pieces), 4)) sizes.push(chunk.length);
    expect(sizes).toEqual([4, 4, 4, 2]);
  });
});
