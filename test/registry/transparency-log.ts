/**
 * A transparency log kept in memory, standing in for Rekor: each recorded entry becomes an RFC 6962 leaf, and
 * comes back with the log's promise (signed entry timestamp) and an inclusion proof in the tree as it then is,
 * with a checkpoint signed by the log key the way Rekor signs its notes (key hint: the log id's first 4 bytes).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { leafHash } from '../../functions/supply-chain/src/verify/merkle.ts';
import { auditPath, merkleRoot } from './merkle-tree.ts';

export const LOG_ORIGIN = 'rekor.local - 1';

export interface LogSigner {
  key: KeyObject;
  /** Hex SHA-256 of the log's DER public key. */
  id: string;
}

/** The inclusion proof of a Sigstore bundle's log entry. */
export interface InclusionProofJson {
  logIndex: string;
  rootHash: string;
  treeSize: string;
  hashes: string[];
  checkpoint: { envelope: string };
}

export interface LoggedEntry {
  /** What the promise signs, keys in canonical order. */
  entry: { body: string; integratedTime: number; logID: string; logIndex: number };
  signedEntryTimestamp: string;
  inclusionProof: InclusionProofJson;
}

export interface TestLog {
  /** The log's DER (SPKI) public key, for the trusted root. */
  publicDer: Buffer;
  /** The log's signing key and id, for tests that sign checkpoints of their own. */
  signer: LogSigner;
  /** Appends the entry whose canonicalized body is `body` (base64), logged at `loggedAt`. */
  record: (body: string, loggedAt: Date) => LoggedEntry;
}

/** A checkpoint for a tree of `size` leaves with root `root`, signed by `signer` (hint from its id). */
export function signedCheckpoint(tree: { size: number; root: Buffer }, signer: LogSigner): string {
  const text = `${LOG_ORIGIN}\n${tree.size}\n${tree.root.toString('base64')}\n`;
  const signature = sign('sha256', Buffer.from(text), signer.key);
  const hint = Buffer.from(signer.id, 'hex').subarray(0, 4);
  return `${text}\n\u2014 rekor.local ${Buffer.concat([hint, signature]).toString('base64')}\n`;
}

/** A fresh ECDSA P-256 log key, its DER public key and its log id. */
export function logSigner(): LogSigner & { publicKey: KeyObject; publicDer: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicDer = publicKey.export({ format: 'der', type: 'spki' });
  return { key: privateKey, id: createHash('sha256').update(publicDer).digest('hex'), publicKey, publicDer };
}

/** A new log holding a few unrelated entries already, so proofs have siblings on both sides. */
export function transparencyLog(): TestLog {
  const { key, id, publicDer } = logSigner();
  const signer = { key, id };
  const leaves = Array.from({ length: 5 }, () => leafHash(randomBytes(16)));
  const record = (body: string, loggedAt: Date): LoggedEntry => {
    const logIndex = leaves.push(leafHash(Buffer.from(body, 'base64'))) - 1;
    const entry = { body, integratedTime: Math.floor(loggedAt.getTime() / 1000), logID: signer.id, logIndex };
    const root = merkleRoot(leaves);
    return {
      entry,
      signedEntryTimestamp: sign('sha256', Buffer.from(JSON.stringify(entry)), key).toString('base64'),
      inclusionProof: {
        logIndex: String(logIndex),
        rootHash: root.toString('base64'),
        treeSize: String(leaves.length),
        hashes: auditPath(leaves, logIndex).map((h) => h.toString('base64')),
        checkpoint: { envelope: signedCheckpoint({ size: leaves.length, root }, signer) },
      },
    };
  };
  return { publicDer, signer, record };
}
