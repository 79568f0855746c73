/**
 * Reads the files of a zip archive held in memory (stored or deflated entries). Everything is decided from the
 * central directory before a byte is inflated: the number of entries, their names (only those the caller
 * allows), the total inflated size and each entry's compression ratio. Inflating then stops at the size the
 * directory declared, so an archive that lies about its sizes cannot exhaust memory either.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  maxEntries: number;
  /** The inflated size of all files together. */
  maxTotalBytes: number;
  /** Inflated over compressed size of one entry, for entries above RATIO_FLOOR bytes. */
  maxRatio: number;
  /** The file names an archive may hold (directories aside). */
  allowedNames: ReadonlySet<string>;
}

/** Small entries may compress as well as they like: the total size bounds them already. */
const RATIO_FLOOR = 1024 * 1024;

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

const invalid = (message: string) => new ZipError(`the plugin package is not a valid zip: ${message}`);

function endOfDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= earliest; at -= 1) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  throw invalid('no end-of-central-directory record');
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
  if (count > limits.maxEntries)
    throw new ZipError(`the plugin package has ${count} entries, more than ${limits.maxEntries}`);
  let at = zip.readUInt32LE(end + 16);
  const entries: Entry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== DIRECTORY_ENTRY)
      throw invalid('a broken central directory');
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
  return entries.filter((entry) => !entry.name.endsWith('/'));
}

function checkEntry(entry: Entry, limits: ZipLimits): void {
  if (entry.method !== 0 && entry.method !== 8)
    throw invalid(`${entry.name} uses compression method ${entry.method}`);
  if (entry.method === 0 && entry.size !== entry.compressed)
    throw invalid(`${entry.name} is stored with two sizes`);
  const ratio = entry.size / Math.max(1, entry.compressed);
  if (entry.size > RATIO_FLOOR && ratio > limits.maxRatio)
    throw new ZipError(
      `${entry.name} would inflate ${Math.round(ratio)} times its compressed size, more than the ${limits.maxRatio} allowed`,
    );
}

/** Refuses the archive for what its directory says, before anything is inflated. */
function checkDirectory(entries: readonly Entry[], limits: ZipLimits): void {
  const unknown = entries.map((e) => e.name).filter((name) => !limits.allowedNames.has(name));
  if (unknown.length > 0)
    throw new ZipError(`the package holds files it may not: ${unknown.slice(0, 8).join(', ')}`);
  const total = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (total > limits.maxTotalBytes)
    throw new ZipError(
      `the plugin package inflates to ${total} bytes, over the ${limits.maxTotalBytes}-byte limit`,
    );
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw invalid(`${entry.name} appears twice`);
    names.add(entry.name);
    checkEntry(entry, limits);
  }
}

function contents(zip: Buffer, entry: Entry): Buffer {
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER)
    throw invalid(`${entry.name} has no local header`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressed);
  if (data.length !== entry.compressed) throw invalid(`${entry.name} is truncated`);
  if (entry.method === 0) return Buffer.from(data);
  let inflated: Buffer;
  try {
    // One byte more than declared tells a lying directory from an honest one without inflating the rest.
    inflated = inflateRawSync(data, { maxOutputLength: entry.size + 1 });
  } catch (error) {
    throw invalid(
      `${entry.name} does not inflate to the size its directory entry declares (${(error as Error).message})`,
    );
  }
  if (inflated.length !== entry.size)
    throw invalid(`${entry.name} inflates to a different size than recorded`);
  return inflated;
}

/** Every file in the archive by name; directories are skipped. */
export function readZip(zip: Buffer, limits: ZipLimits): Map<string, Buffer> {
  const entries = directory(zip, limits);
  checkDirectory(entries, limits);
  return new Map(entries.map((entry) => [entry.name, contents(zip, entry)]));
}
