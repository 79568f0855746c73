/**
 * Reads the files of a zip archive held in memory (stored or deflated entries), with limits on the number of
 * entries and on every file's inflated size, so a crafted archive cannot exhaust memory.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  maxEntries: number;
  maxFileBytes: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

export class ZipError extends Error {
  constructor(message: string) {
    super(`the plugin package is not a valid zip: ${message}`);
    this.name = 'ZipError';
  }
}

function endOfDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= earliest; at -= 1) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  throw new ZipError('no end-of-central-directory record');
}

interface Entry {
  name: string;
  method: number;
  compressed: number;
  size: number;
  localOffset: number;
}

function directory(zip: Buffer, limits: ZipLimits): Entry[] {
  const end = endOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  if (count > limits.maxEntries) throw new ZipError(`${count} entries, more than ${limits.maxEntries}`);
  let at = zip.readUInt32LE(end + 16);
  const entries: Entry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== DIRECTORY_ENTRY)
      throw new ZipError('a broken central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressed: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

function contents(zip: Buffer, entry: Entry, limits: ZipLimits): Buffer {
  if (entry.size > limits.maxFileBytes)
    throw new ZipError(`${entry.name} is ${entry.size} bytes, over the ${limits.maxFileBytes}-byte limit`);
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER)
    throw new ZipError(`${entry.name} has no local header`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressed);
  if (data.length !== entry.compressed) throw new ZipError(`${entry.name} is truncated`);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method !== 8) throw new ZipError(`${entry.name} uses compression method ${entry.method}`);
  try {
    const inflated = inflateRawSync(data, { maxOutputLength: limits.maxFileBytes });
    if (inflated.length !== entry.size)
      throw new ZipError(`${entry.name} inflates to a different size than recorded`);
    return inflated;
  } catch (error) {
    if (error instanceof ZipError) throw error;
    throw new ZipError(`${entry.name} does not inflate: ${(error as Error).message}`);
  }
}

/** Every file in the archive by name; directories are skipped and a name seen twice is an error. */
export function readZip(zip: Buffer, limits: ZipLimits): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of directory(zip, limits)) {
    if (entry.name.endsWith('/')) continue;
    if (files.has(entry.name)) throw new ZipError(`${entry.name} appears twice`);
    files.set(entry.name, contents(zip, entry, limits));
  }
  return files;
}
