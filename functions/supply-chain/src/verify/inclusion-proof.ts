/**
 * Offline proof that a transparency-log entry is in the log: the entry's leaf hash and the proof's audit path
 * lead to the proof's root hash, and a checkpoint signed by the log's key of the trusted root commits to that
 * same root at the same tree size. No log is asked anything: the bundle carries the whole proof.
 */
import { z } from 'zod';
import { verifyCheckpoint } from './checkpoint.ts';
import { HASH_BYTES, leafHash, rootFromAuditPath } from './merkle.ts';
import { trustedLogKey, type TrustedRoot } from './trusted-root.ts';

const wholeNumber = z
  .union([z.string().regex(/^\d+$/, 'must be a whole number'), z.number().int().nonnegative()])
  .transform(BigInt);
const hash = z
  .base64()
  .transform((text) => Buffer.from(text, 'base64'))
  .refine((bytes) => bytes.length === HASH_BYTES, `must be a base64 SHA-256 hash (${HASH_BYTES} bytes)`);

const inclusionProof = z.object({
  logIndex: wholeNumber,
  treeSize: wholeNumber,
  rootHash: hash,
  hashes: z.array(hash),
  checkpoint: z.object({ envelope: z.string() }),
});

function malformed(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(the proof)'} ${issue.message}`).join('; ');
}

/** The entry as logged: its canonicalized body (base64, as in the bundle) and its log id (hex). */
export interface ProvenEntry {
  body: string;
  logID: string;
}

/** Why `proof` does not show `entry` in its log of the trusted root, or undefined when it does. */
export function inclusionProblem(proof: unknown, entry: ProvenEntry, root: TrustedRoot): string | undefined {
  const parsed = inclusionProof.safeParse(proof);
  if (!parsed.success) return `its transparency-log inclusion proof is malformed: ${malformed(parsed.error)}`;
  const { logIndex, treeSize, rootHash, hashes, checkpoint } = parsed.data;
  const key = trustedLogKey(root, entry.logID);
  if (typeof key === 'string') return key;
  // The proof's index is the leaf's place in the tree it names, which for a sharded log is not the entry's
  // global log index: the two are not compared.
  const leaf = leafHash(Buffer.from(entry.body, 'base64'));
  const walked = rootFromAuditPath(leaf, { index: logIndex, treeSize }, hashes);
  if ('problem' in walked) return `its transparency-log inclusion proof does not verify: ${walked.problem}`;
  if (!walked.root.equals(rootHash))
    return `its transparency-log inclusion proof does not lead to the root hash it names: leaf ${String(logIndex)} of a tree of ${String(treeSize)} leads to ${walked.root.toString('hex')}, not ${rootHash.toString('hex')}`;
  const signed = verifyCheckpoint(checkpoint.envelope, { id: entry.logID, key });
  if ('problem' in signed) return signed.problem;
  if (signed.checkpoint.treeSize !== treeSize)
    return `its transparency-log checkpoint is for a tree of ${String(signed.checkpoint.treeSize)}, the inclusion proof for one of ${String(treeSize)}`;
  if (!signed.checkpoint.rootHash.equals(rootHash))
    return "its transparency-log checkpoint's root hash is not the inclusion proof's";
  return undefined;
}
