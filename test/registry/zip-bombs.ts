/**
 * Plugin packages built to exhaust their reader, each with what the refusal must say: more inflated bytes than
 * the limit, a compression ratio no binary has, a name outside the layout (with a payload that would have
 * been inflated), and a directory declaring less than the entry inflates to.
 */
import { writeZip } from './zip-writer.ts';

const MiB = 1024 * 1024;
const YAML = 'id: dev.mcpg.test.gate\n';

/** A copy of `zip` whose central directory declares `size` inflated bytes for `name`. */
export function declaringSize(zip: Buffer, name: string, size: number): Buffer {
  const patched = Buffer.from(zip);
  for (let at = 0; at + 46 < patched.length; at += 1) {
    if (patched.readUInt32LE(at) !== 0x02014b50) continue;
    const length = patched.readUInt16LE(at + 28);
    if (patched.toString('utf8', at + 46, at + 46 + length) === name) patched.writeUInt32LE(size, at + 24);
  }
  return patched;
}

export interface ZipBomb {
  /** One word naming it (fit for an object name). */
  label: string;
  does: string;
  zip: () => Buffer;
  refusal: RegExp;
}

/** The bombs for a reader whose packages may inflate to `maxBytes` (at least 5 MiB). */
export function zipBombs(maxBytes: number): ZipBomb[] {
  const deflated = (files: Record<string, Buffer | string>) => writeZip(files, { deflate: true });
  return [
    {
      label: 'oversized',
      does: 'inflates past the size limit',
      zip: () => deflated({ 'plugin.yaml': YAML, 'plugin.so': Buffer.alloc(maxBytes + MiB) }),
      refusal: new RegExp(`inflates to \\d+ bytes, over the ${maxBytes}-byte limit`),
    },
    {
      label: 'ratio',
      does: 'compresses beyond any binary',
      zip: () => deflated({ 'plugin.yaml': YAML, 'plugin.so': Buffer.alloc(4 * MiB) }),
      refusal: /plugin\.so would inflate \d+ times its compressed size, more than the 100 allowed/,
    },
    {
      label: 'escape',
      does: 'holds a file outside the layout',
      zip: () =>
        deflated({ 'plugin.yaml': YAML, 'plugin.so': 'ELF', '../../etc/cron.d/job': Buffer.alloc(4 * MiB) }),
      refusal: /the package holds files it may not: \.\.\/\.\.\/etc\/cron\.d\/job/,
    },
    {
      label: 'liar',
      does: 'declares a smaller size than it inflates to',
      zip: () =>
        declaringSize(
          deflated({ 'plugin.yaml': YAML, 'plugin.so': Buffer.alloc(512 * 1024, 7) }),
          'plugin.so',
          1000,
        ),
      refusal: /plugin\.so does not inflate to the size its directory entry declares/,
    },
  ];
}
