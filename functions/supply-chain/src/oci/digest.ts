/** Content addressing: every byte read from a registry is checked against the digest it was asked for. */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RegistryError } from './errors.ts';

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function assertDigest(bytes: Uint8Array, expected: string, what: string): void {
  const actual = sha256Digest(bytes);
  if (actual !== expected)
    throw new RegistryError(
      'DigestMismatch',
      `${what}: the registry sent bytes with digest ${actual}, not ${expected}`,
    );
}

/**
 * Passes bytes through while hashing them; fails the stream (and so whatever consumes it) when the total size
 * or the digest differs from what was expected, or the size limit is passed.
 */
export class DigestCheck extends Transform {
  private readonly hash = createHash('sha256');
  private seen = 0;
  private readonly expected: { digest: string; size?: number | undefined; limit: number; what: string };

  constructor(expected: { digest: string; size?: number | undefined; limit: number; what: string }) {
    super();
    this.expected = expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.expected.limit) {
      done(
        new RegistryError(
          'TooLarge',
          `${this.expected.what} is larger than the ${this.expected.limit}-byte limit`,
        ),
      );
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const actual = `sha256:${this.hash.digest('hex')}`;
    const { digest, size, what } = this.expected;
    if (size !== undefined && this.seen !== size) {
      done(new RegistryError('DigestMismatch', `${what}: the registry sent ${this.seen} bytes, not ${size}`));
      return;
    }
    if (actual !== digest) {
      done(
        new RegistryError(
          'DigestMismatch',
          `${what}: the registry sent bytes with digest ${actual}, not ${digest}`,
        ),
      );
      return;
    }
    done();
  }
}
