import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  logSigner,
  signedCheckpoint,
  transparencyLog,
  type InclusionProofJson,
} from '../../../../test/registry/transparency-log.ts';
import { inclusionProblem } from './inclusion-proof.ts';
import { parseTrustedRoot, type TrustedRoot } from './trusted-root.ts';

const log = transparencyLog();
const root: TrustedRoot = {
  authorities: [],
  logs: new Map([[log.signer.id, createPublicKey({ key: log.publicDer, format: 'der', type: 'spki' })]]),
  windows: { authorities: new Map(), logs: new Map() },
};
const body = Buffer.from('{"kind":"dsse"}').toString('base64');
const { inclusionProof } = log.record(body, new Date());
const entry = { body, logID: log.signer.id };
const stranger = logSigner();

const flipped = (base64: string) =>
  Buffer.from(Buffer.from(base64, 'base64').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64');
const resigned = (proof: InclusionProofJson, size: number, signer = log.signer): InclusionProofJson => ({
  ...proof,
  checkpoint: {
    envelope: signedCheckpoint({ size, root: Buffer.from(proof.rootHash, 'base64') }, signer),
  },
});

describe('inclusionProblem', () => {
  it('accepts an entry of the public Rekor log with its production key, and refuses its checkpoint once changed', () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../../../../test/fixtures/sigstore/rekor-entry.json', import.meta.url), 'utf8'),
    ) as {
      trustedRoot: unknown;
      tlogEntry: { canonicalizedBody: string; logId: { keyId: string }; inclusionProof: InclusionProofJson };
    };
    const rekor = parseTrustedRoot(JSON.stringify(fixture.trustedRoot));
    const { canonicalizedBody, logId, inclusionProof: proof } = fixture.tlogEntry;
    const logged = { body: canonicalizedBody, logID: Buffer.from(logId.keyId, 'base64').toString('hex') };
    expect(inclusionProblem(proof, logged, rekor)).toBeUndefined();
    const envelope = proof.checkpoint.envelope.replace('882192014', '882192015');
    expect(inclusionProblem({ ...proof, checkpoint: { envelope } }, logged, rekor)).toMatch(
      /checkpoint's signature by the log c0d23d6a[0-9a-f]{56} does not verify/,
    );
  });

  it('accepts an entry whose proof reaches a root the log signed', () => {
    expect(inclusionProof.hashes.length).toBeGreaterThan(0);
    expect(inclusionProblem(inclusionProof, entry, root)).toBeUndefined();
  });

  it.each([
    {
      name: 'a changed audit-path hash',
      proof: () => ({
        ...inclusionProof,
        hashes: inclusionProof.hashes.map((h, i) => (i === 0 ? flipped(h) : h)),
      }),
      problem:
        /inclusion proof does not lead to the root hash it names: leaf 5 of a tree of 6 leads to [0-9a-f]{64}, not/,
    },
    {
      name: 'another entry body',
      proof: () => inclusionProof,
      entry: { body: Buffer.from('{}').toString('base64') },
      problem: /inclusion proof does not lead to the root hash it names/,
    },
    {
      name: 'a wrong root hash, with a checkpoint the log signed over it',
      proof: () => {
        const wrong = { ...inclusionProof, rootHash: flipped(inclusionProof.rootHash) };
        return resigned(wrong, Number(wrong.treeSize));
      },
      problem: /inclusion proof does not lead to the root hash it names/,
    },
    {
      name: 'a wrong tree size',
      proof: () => ({ ...inclusionProof, treeSize: '9' }),
      problem:
        /inclusion proof does not verify: its audit path has fewer hashes than leaf 5 of a tree of 9 needs/,
    },
    {
      name: 'a leaf index past the tree',
      proof: () => ({ ...inclusionProof, logIndex: '6' }),
      problem: /inclusion proof does not verify: leaf 6 of a tree of 6 does not exist/,
    },
    {
      name: 'a checkpoint for another tree size',
      proof: () => resigned(inclusionProof, 12),
      problem: /checkpoint is for a tree of 12, the inclusion proof for one of 6/,
    },
    {
      name: 'a checkpoint over another root',
      proof: () => ({
        ...inclusionProof,
        checkpoint: { envelope: signedCheckpoint({ size: 6, root: Buffer.alloc(32) }, log.signer) },
      }),
      problem: /checkpoint's root hash is not the inclusion proof's/,
    },
    {
      name: 'a checkpoint signed by an unknown key',
      proof: () => resigned(inclusionProof, 6, stranger),
      problem: /checkpoint is not signed by the log [0-9a-f]{64}/,
    },
    {
      name: 'a log that is not in the trusted root',
      proof: () => inclusionProof,
      entry: { logID: stranger.id },
      problem: /transparency log [0-9a-f]{64} is not in the trusted root/,
    },
    {
      name: 'a proof without a checkpoint',
      proof: () => ({ ...inclusionProof, checkpoint: undefined }),
      problem: /inclusion proof is malformed: checkpoint /,
    },
    {
      name: 'a hash that is not SHA-256',
      proof: () => ({ ...inclusionProof, hashes: ['AAAA'] }),
      problem: /inclusion proof is malformed: hashes.0 must be a base64 SHA-256 hash/,
    },
    {
      name: 'a negative leaf index',
      proof: () => ({ ...inclusionProof, logIndex: '-1' }),
      problem: /inclusion proof is malformed: logIndex must be a whole number/,
    },
  ])('refuses $name', ({ proof, entry: changed, problem }) => {
    expect(inclusionProblem(proof(), { ...entry, ...changed }, root)).toMatch(problem);
  });
});
