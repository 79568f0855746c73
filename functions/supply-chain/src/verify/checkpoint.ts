/**
 * A transparency log's checkpoint: a signed note whose text names the log (origin line), its tree size and its
 * base64 root hash, then a blank line and signature lines `— <name> <base64(key hint || signature)>`. Rekor
 * signs its notes with its ECDSA log key, and the key hint is the first four bytes of the log id (the SHA-256 of
 * that key), so the log is found by the entry's log id and its hint picks the signature to check.
 */
import type { KeyObject } from 'node:crypto';
import { HASH_BYTES } from './merkle.ts';
import { logSignatureValid } from './trusted-root.ts';

export interface Checkpoint {
  origin: string;
  treeSize: bigint;
  rootHash: Buffer;
}

export interface TransparencyLog {
  /** Hex SHA-256 of the log's DER public key. */
  id: string;
  key: KeyObject;
}

interface NoteSignature {
  keyHint: Buffer;
  signature: Buffer;
}

interface SignedNote {
  /** The signed text, up to and including its last newline. */
  text: string;
  signatures: NoteSignature[];
}

export type CheckpointVerdict = { checkpoint: Checkpoint } | { problem: string };

const KEY_HINT_BYTES = 4;
const SIGNATURE_LINE = /^\u2014 \S+ ([A-Za-z0-9+/]+={0,2})$/;

function noteSignature(line: string): NoteSignature | undefined {
  const bytes = Buffer.from(SIGNATURE_LINE.exec(line)?.[1] ?? '', 'base64');
  if (bytes.length <= KEY_HINT_BYTES) return undefined;
  return { keyHint: bytes.subarray(0, KEY_HINT_BYTES), signature: bytes.subarray(KEY_HINT_BYTES) };
}

function parseSignedNote(envelope: string): SignedNote | string {
  const end = envelope.indexOf('\n\n');
  if (end < 0) return 'has no blank line between its text and its signatures';
  const block = envelope.slice(end + 2).replace(/\n$/, '');
  if (block === '') return 'carries no signature';
  const signatures: NoteSignature[] = [];
  for (const line of block.split('\n')) {
    const signature = noteSignature(line);
    if (!signature)
      return `has a line that is not "— <name> <base64 key hint and signature>": ${JSON.stringify(line)}`;
    signatures.push(signature);
  }
  return { text: envelope.slice(0, end + 1), signatures };
}

function parseCheckpoint(text: string): Checkpoint | string {
  const [origin = '', size = '', root = ''] = text.split('\n');
  if (origin === '') return 'names no origin';
  if (!/^\d+$/.test(size)) return `gives the tree size ${JSON.stringify(size)}, not a whole number`;
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== HASH_BYTES)
    return `gives the root hash ${JSON.stringify(root)}, not a base64 SHA-256 hash`;
  return { origin, treeSize: BigInt(size), rootHash };
}

/** The checkpoint of `envelope` once its signature by `log` verifies; or why it cannot be trusted. */
export function verifyCheckpoint(envelope: string, log: TransparencyLog): CheckpointVerdict {
  const note = parseSignedNote(envelope);
  if (typeof note === 'string') return { problem: `its transparency-log checkpoint ${note}` };
  const checkpoint = parseCheckpoint(note.text);
  if (typeof checkpoint === 'string') return { problem: `its transparency-log checkpoint ${checkpoint}` };
  const hint = Buffer.from(log.id, 'hex').subarray(0, KEY_HINT_BYTES);
  const byLog = note.signatures.filter((s) => s.keyHint.equals(hint));
  if (byLog.length === 0) {
    const hints = note.signatures.map((s) => s.keyHint.toString('hex')).join(', ');
    return {
      problem: `its transparency-log checkpoint is not signed by the log ${log.id} (key hint ${hint.toString('hex')}; signed with ${hints})`,
    };
  }
  const text = Buffer.from(note.text);
  if (!byLog.some((s) => logSignatureValid(log.key, text, s.signature)))
    return { problem: `its transparency-log checkpoint's signature by the log ${log.id} does not verify` };
  return { checkpoint };
}
