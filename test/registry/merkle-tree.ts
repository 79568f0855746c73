/**
 * A Merkle tree built from RFC 6962's recursive definitions (MTH and PATH, §2.1 and §2.1.1), over leaf hashes.
 * Tests use it as the independent side: the verifier walks audit paths iteratively, this splits trees.
 */
import { nodeHash } from '../../functions/supply-chain/src/verify/merkle.ts';

/** The largest power of two smaller than `n` (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  const [first] = leaves;
  if (!first) throw new Error('a Merkle tree needs at least one leaf');
  if (leaves.length === 1) return first;
  const k = split(leaves.length);
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** The audit path of leaf `index`: the sibling subtree roots from the leaf up. */
export function auditPath(leaves: readonly Buffer[], index: number): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...auditPath(leaves.slice(0, k), index), merkleRoot(leaves.slice(k))]
    : [...auditPath(leaves.slice(k), index - k), merkleRoot(leaves.slice(0, k))];
}
