import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  keylessAuthority,
  keylessSignature,
  leafCertificate,
  type KeylessAuthority,
  type Leaf,
} from '../../../../test/registry/keyless.ts';
import type { ClassicSignature } from './cosign-classic.ts';
import { verifyKeyless, type KeylessIdentity } from './keyless.ts';
import { parseTrustedRoot, type TrustedRoot } from './trusted-root.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const image = { host: 'registry.example', repository: 'plugins/x', digest: DIGEST };
const SUBJECT = 'https://github.com/mcpg-dev/plugins/.github/workflows/release.yml@refs/tags/v1.0.0';
const ISSUER = 'https://token.actions.githubusercontent.com';
const identity: KeylessIdentity = { subjectRegexp: '^https://github\\.com/mcpg-dev/.*$', issuer: ISSUER };

// Certificates made by openssl from a local CA; the log key signs the entry timestamps.
describe('verifyKeyless', () => {
  let authority: KeylessAuthority;
  let other: KeylessAuthority;
  let root: TrustedRoot;
  let leaf: Leaf;
  const layer = (
    l: Leaf,
    options: { by?: KeylessAuthority; at?: Date; digest?: string } = {},
  ): ClassicSignature => {
    const made = keylessSignature(
      { ...image, digest: options.digest ?? DIGEST },
      l,
      options.by ?? authority,
      options.at,
    );
    return {
      payload: made.payload,
      signature: made.signature,
      certificate: made.annotations['dev.sigstore.cosign/certificate'],
      bundle: made.annotations['dev.sigstore.cosign/bundle'],
    };
  };

  beforeAll(async () => {
    [authority, other] = await Promise.all([keylessAuthority(), keylessAuthority()]);
    root = parseTrustedRoot(authority.trustedRootJson);
    leaf = await leafCertificate(authority, { subject: SUBJECT, issuer: ISSUER });
  });

  afterAll(() => {
    authority.remove();
    other.remove();
  });

  it('accepts a logged signature whose certificate chains to the root and matches the identity', () => {
    expect(verifyKeyless(layer(leaf), { digest: DIGEST, identity, root })).toEqual({
      signer: { subject: SUBJECT, issuer: ISSUER },
    });
    expect(
      verifyKeyless(layer(leaf), { digest: DIGEST, identity: { subject: SUBJECT, issuer: ISSUER }, root }),
    ).toHaveProperty('signer');
  });

  it.each([
    {
      name: 'another issuer',
      change: () => ({ identity: { ...identity, issuer: 'https://accounts.google.com' } }),
      problem: /issued by https:\/\/token.actions.githubusercontent.com, not https:\/\/accounts.google.com/,
    },
    {
      name: 'a subject outside the pattern',
      change: () => ({ identity: { ...identity, subjectRegexp: '^https://github\\.com/other/.*$' } }),
      problem: /which the identity does not allow/,
    },
    {
      name: 'an exact subject that differs',
      change: () => ({ identity: { subject: `${SUBJECT}x`, issuer: ISSUER } }),
      problem: /which the identity does not allow/,
    },
    {
      name: 'a certificate logged after it expired',
      change: () => ({ signature: layer(leaf, { at: new Date(Date.now() + 3 * 86_400_000) }) }),
      problem: /was not valid when the signature was logged/,
    },
    {
      name: 'a payload for another digest',
      change: () => ({ signature: layer(leaf, { digest: `sha256:${'b'.repeat(64)}` }) }),
      problem: /is for sha256:b+, not the pulled/,
    },
    {
      name: 'a log the root does not know',
      change: () => ({ signature: layer(leaf, { by: other }) }),
      problem: /transparency log [a-f0-9]{64} is not in the trusted root/,
    },
    {
      name: 'no transparency-log bundle',
      change: () => ({ signature: { ...layer(leaf), bundle: undefined } }),
      problem: /no transparency-log entry/,
    },
    {
      name: 'a tampered payload',
      change: () => ({
        signature: {
          ...layer(leaf),
          payload: Buffer.from(layer(leaf).payload.toString().replace('plugins/x', 'plugins/y')),
        },
      }),
      problem: /does not verify with its certificate/,
    },
  ])('refuses $name', ({ change, problem }) => {
    const changed = change() as { identity?: KeylessIdentity; signature?: ClassicSignature };
    const verdict = verifyKeyless(changed.signature ?? layer(leaf), {
      digest: DIGEST,
      identity: changed.identity ?? identity,
      root,
    });
    expect(verdict).toHaveProperty('problem');
    expect((verdict as { problem: string }).problem).toMatch(problem);
  });

  it('refuses a certificate from a CA outside the trusted root, and one not for code signing', async () => {
    const foreign = await leafCertificate(other, { subject: SUBJECT, issuer: ISSUER });
    expect(verifyKeyless(layer(foreign), { digest: DIGEST, identity, root })).toEqual({
      problem: 'its certificate does not chain to the trusted root',
    });
    const tls = await leafCertificate(authority, { subject: SUBJECT, issuer: ISSUER, codeSigning: false });
    expect(verifyKeyless(layer(tls), { digest: DIGEST, identity, root })).toEqual({
      problem: 'its certificate is not for code signing',
    });
  });
});
