import { describe, expect, it } from 'vitest';
import { auditPath, merkleRoot } from '../../../../test/registry/merkle-tree.ts';
import { leafHash, rootFromAuditPath } from './merkle.ts';

// The Certificate Transparency reference leaves and the tree heads of their first 1..8 (RFC 6962 test data).
const REFERENCE_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => leafHash(Buffer.from(hex, 'hex')));
const REFERENCE_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const leavesOf = (size: number) => REFERENCE_LEAVES.slice(0, size);
const walk = (leaves: Buffer[], index: number, path = auditPath(leaves, index), treeSize = leaves.length) =>
  rootFromAuditPath(
    leaves[index] ?? Buffer.alloc(0),
    { index: BigInt(index), treeSize: BigInt(treeSize) },
    path,
  );
const rootOf = (verdict: ReturnType<typeof rootFromAuditPath>) =>
  'root' in verdict ? verdict.root.toString('hex') : verdict.problem;

/** Every (tree size, leaf index) of the hand-built trees. */
const positions = [1, 2, 3, 7, 8].flatMap((size) =>
  Array.from({ length: size }, (_, index) => ({ size, index })),
);

describe('Merkle tree hashing', () => {
  it.each(REFERENCE_ROOTS.map((root, i) => ({ size: i + 1, root })))(
    'gives the reference root of a tree of $size',
    ({ size, root }) => {
      expect(merkleRoot(leavesOf(size)).toString('hex')).toBe(root);
    },
  );
});

describe('rootFromAuditPath', () => {
  it.each(positions)('leads leaf $index of a tree of $size to its root', ({ size, index }) => {
    const leaves = leavesOf(size);
    expect(rootOf(walk(leaves, index))).toBe(REFERENCE_ROOTS[size - 1]);
  });

  it('walks the reference audit path of leaf 5 of 8', () => {
    const path = [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ].map((hex) => Buffer.from(hex, 'hex'));
    expect(auditPath(leavesOf(8), 5)).toEqual(path);
    expect(rootOf(walk(leavesOf(8), 5, path))).toBe(REFERENCE_ROOTS[7]);
  });

  it.each(positions.filter(({ size }) => size > 1))(
    'leads nowhere near the root when any hash of the path of leaf $index of $size is changed',
    ({ size, index }) => {
      const leaves = leavesOf(size);
      const path = auditPath(leaves, index);
      for (const [i, hash] of path.entries()) {
        const tampered = path.with(i, Buffer.from(hash.map((byte) => byte ^ 1)));
        expect(rootOf(walk(leaves, index, tampered))).not.toBe(REFERENCE_ROOTS[size - 1]);
      }
    },
  );

  it.each(positions.filter(({ size }) => size > 1))(
    'does not lead a sibling leaf of leaf $index of $size to the root along its path',
    ({ size, index }) => {
      const leaves = leavesOf(size);
      const other = leaves[(index + 1) % size] ?? Buffer.alloc(0);
      const verdict = rootFromAuditPath(
        other,
        { index: BigInt(index), treeSize: BigInt(size) },
        auditPath(leaves, index),
      );
      expect(rootOf(verdict)).not.toBe(REFERENCE_ROOTS[size - 1]);
    },
  );

  // A path walks alike in trees of some other sizes: the checkpoint, signed over the size, binds it.
  it.each([
    { from: 8, index: 7, treeSize: 7, extra: 0, problem: /leaf 7 of a tree of 7 does not exist/ },
    { from: 3, index: 2, treeSize: 2, extra: 0, problem: /leaf 2 of a tree of 2 does not exist/ },
    { from: 3, index: 2, treeSize: 4, extra: 0, problem: /fewer hashes than leaf 2 of a tree of 4 needs/ },
    { from: 7, index: 6, treeSize: 8, extra: 0, problem: /fewer hashes than leaf 6 of a tree of 8 needs/ },
    { from: 2, index: 1, treeSize: 1, extra: 0, problem: /leaf 1 of a tree of 1 does not exist/ },
    { from: 2, index: 0, treeSize: 1, extra: 0, problem: /more hashes than leaf 0 of a tree of 1 needs/ },
    { from: 8, index: 3, treeSize: 8, extra: 1, problem: /more hashes than leaf 3 of a tree of 8 needs/ },
    { from: 8, index: 3, treeSize: 8, extra: -1, problem: /fewer hashes than leaf 3 of a tree of 8 needs/ },
  ])(
    'names the problem with the path of leaf $index of $from (hashes added: $extra) in a tree of $treeSize',
    ({ from, index, treeSize, extra, problem }) => {
      const leaves = leavesOf(from);
      const path = auditPath(leaves, index);
      const sized = extra > 0 ? [...path, Buffer.alloc(32)] : path.slice(0, path.length + extra);
      expect(rootOf(walk(leaves, index, sized, treeSize))).toMatch(problem);
    },
  );
});
