import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LOG_ORIGIN, logSigner, signedCheckpoint } from '../../../../test/registry/transparency-log.ts';
import { verifyCheckpoint } from './checkpoint.ts';

function logKeys() {
  const { key, id, publicKey } = logSigner();
  return { signer: { key, id }, log: { id, key: publicKey } };
}

const trusted = logKeys();
const stranger = logKeys();
const tree = { size: 7, root: createHash('sha256').update('root').digest() };
const envelope = signedCheckpoint(tree, trusted.signer);
const [text = '', signatures = ''] = envelope.split('\n\n');

describe('verifyCheckpoint', () => {
  it('reads the origin, size and root of a checkpoint signed by the log', () => {
    expect(verifyCheckpoint(envelope, trusted.log)).toEqual({
      checkpoint: { origin: LOG_ORIGIN, treeSize: 7n, rootHash: tree.root },
    });
  });

  it('finds the log signature among others', () => {
    const cosigned = `${envelope}${signedCheckpoint(tree, stranger.signer).split('\n\n')[1] ?? ''}`;
    expect(verifyCheckpoint(cosigned, trusted.log)).toHaveProperty('checkpoint.treeSize', 7n);
  });

  it.each([
    {
      name: 'a checkpoint signed by a key the trusted root does not hold',
      envelope: () => signedCheckpoint(tree, stranger.signer),
      problem: new RegExp(
        `checkpoint is not signed by the log ${trusted.log.id} \\(key hint ${trusted.log.id.slice(0, 8)}; signed with ${stranger.log.id.slice(0, 8)}\\)`,
      ),
    },
    {
      name: 'a signature under the log key hint by another key',
      envelope: () => signedCheckpoint(tree, { key: stranger.signer.key, id: trusted.log.id }),
      problem: /checkpoint's signature by the log [0-9a-f]{64} does not verify/,
    },
    {
      name: 'a text changed after signing',
      envelope: () => envelope.replace('\n7\n', '\n8\n'),
      problem: /checkpoint's signature by the log [0-9a-f]{64} does not verify/,
    },
    {
      name: 'no blank line before the signatures',
      envelope: () => envelope.replace('\n\n', '\n'),
      problem: /checkpoint has no blank line between its text and its signatures/,
    },
    {
      name: 'no signature',
      envelope: () => `${text}\n\n`,
      problem: /checkpoint carries no signature/,
    },
    {
      name: 'a signature line of another shape',
      envelope: () => `${text}\n\n${signatures}- rekor.local AAAA\n`,
      problem:
        /checkpoint has a line that is not "— <name> <base64 key hint and signature>": "- rekor.local AAAA"/,
    },
    {
      name: 'a tree size that is not a number',
      envelope: () => signedCheckpoint(tree, trusted.signer).replace('\n7\n', '\nseven\n'),
      problem: /checkpoint gives the tree size "seven", not a whole number/,
    },
    {
      name: 'a root hash that is not a SHA-256 hash',
      envelope: () => `${LOG_ORIGIN}\n7\nAAAA\n\n${signatures}`,
      problem: /checkpoint gives the root hash "AAAA", not a base64 SHA-256 hash/,
    },
    {
      name: 'no origin',
      envelope: () => `\n7\n${tree.root.toString('base64')}\n\n${signatures}`,
      problem: /checkpoint names no origin/,
    },
  ])('refuses $name', ({ envelope: make, problem }) => {
    expect(verifyCheckpoint(make(), trusted.log)).toEqual({
      problem: expect.stringMatching(problem) as string,
    });
  });
});
