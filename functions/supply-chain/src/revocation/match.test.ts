import { describe, expect, it } from 'vitest';
import { evaluateRevocation, revokingList, type VerifiedFacts } from './match.ts';

const signer = {
  subject: 'https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1',
  issuer: 'https://token.actions.githubusercontent.com',
};
const facts: VerifiedFacts = {
  binarySha256: 'a'.repeat(64),
  manifestDigest: `sha256:${'b'.repeat(64)}`,
  keyFingerprints: ['c'.repeat(64)],
  signers: [signer],
};
const list = (name: string, revocations: unknown[]) => ({ metadata: { name }, spec: { revocations } });

describe('evaluateRevocation', () => {
  it.each([
    { entry: { artifactSha256: 'A'.repeat(64) }, reason: 'ArtifactRevoked' },
    { entry: { ociDigest: facts.manifestDigest }, reason: 'DigestRevoked' },
    { entry: { publicKeySha256: 'C'.repeat(64) }, reason: 'KeyRevoked' },
    { entry: { signerIdentity: { subject: signer.subject } }, reason: 'SignerRevoked' },
    {
      entry: { signerIdentity: { subject: signer.subject, issuer: signer.issuer } },
      reason: 'SignerRevoked',
    },
  ])('revokes by $reason', ({ entry, reason }) => {
    const verdict = evaluateRevocation([list('a', []), list('b', [{ ...entry, reason: 'leaked' }])], facts);
    expect(verdict).toMatchObject({ state: 'revoked', reason, list: 'b' });
    expect(revokingList((verdict as { message: string }).message)).toBe('b');
  });

  it.each([
    { entry: { artifactSha256: 'd'.repeat(64) } },
    { entry: { signerIdentity: { subject: signer.subject, issuer: 'https://other' } } },
  ])('leaves unmatched entries alone', ({ entry }) => {
    expect(evaluateRevocation([list('a', [{ ...entry, reason: 'x' }])], facts)).toEqual({
      state: 'clear',
      lists: 1,
    });
  });

  it('is unknown (fail-closed) when any list is invalid', () => {
    const verdict = evaluateRevocation(
      [list('ok', []), list('broken', [{ artifactSha256: 'zz', reason: 'x' }])],
      facts,
    );
    expect(verdict).toMatchObject({ state: 'unknown', list: 'broken' });
  });
});
