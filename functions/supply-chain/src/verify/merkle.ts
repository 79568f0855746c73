/**
 * Merkle tree hashing of a transparency log (RFC 6962 §2.1, RFC 9162 §2.1): leaves and interior nodes are
 * SHA-256 with a one-byte domain prefix, and an inclusion proof is the audit path from a leaf to the root.
 * Written here because @sigstore/verify keeps its equivalent internal (docs/functions.md says more).
 */
import { createHash } from 'node:crypto';

export const HASH_BYTES = 32;

/** The hash of a log entry as a leaf: SHA-256(0x00 || entry). */
export function leafHash(entry: Buffer): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(entry).digest();
}

/** The hash of an interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

export interface LeafPosition {
  index: bigint;
  treeSize: bigint;
}

export type RootVerdict = { root: Buffer } | { problem: string };

/**
 * The root an audit path leads to from the leaf hash at `at.index` in a tree of `at.treeSize` leaves, walked
 * as RFC 9162 §2.1.3.2 sets out; or why the path cannot belong to that position.
 */
export function rootFromAuditPath(leaf: Buffer, at: LeafPosition, path: readonly Buffer[]): RootVerdict {
  const where = `leaf ${String(at.index)} of a tree of ${String(at.treeSize)}`;
  if (at.index >= at.treeSize) return { problem: `${where} does not exist` };
  let fn = at.index;
  let sn = at.treeSize - 1n;
  let root = leaf;
  for (const sibling of path) {
    if (sn === 0n) return { problem: `its audit path has more hashes than ${where} needs` };
    if ((fn & 1n) === 1n || fn === sn) {
      root = nodeHash(sibling, root);
      while ((fn & 1n) === 0n && fn !== 0n) [fn, sn] = [fn >> 1n, sn >> 1n];
    } else root = nodeHash(root, sibling);
    [fn, sn] = [fn >> 1n, sn >> 1n];
  }
  return sn === 0n ? { root } : { problem: `its audit path has fewer hashes than ${where} needs` };
}
