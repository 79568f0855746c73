import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  keylessAuthority,
  keylessBundle,
  leafCertificate,
  type KeylessAuthority,
  type Leaf,
  withTamperedProof,
} from '../../../../test/registry/keyless.ts';
import type { StoredBundle } from './cosign-bundle.ts';
import { verifyKeylessBundle } from './keyless-bundle.ts';
import { parseTrustedRoot, type TrustedRoot } from './trusted-root.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const SUBJECT = 'https://github.com/mcpg-dev/plugins/.github/workflows/release.yml@refs/tags/v2.0.0';
const ISSUER = 'https://token.actions.githubusercontent.com';
const identity = { subjectRegexp: '^https://github\\.com/mcpg-dev/.*$', issuer: ISSUER };

interface TrustedRootJson {
  tlogs: { publicKey: { validFor?: { start?: string; end?: string } } }[];
  certificateAuthorities: { validFor?: { start?: string; end?: string } }[];
}

describe('verifyKeylessBundle', () => {
  let authority: KeylessAuthority;
  let root: TrustedRoot;
  let leaf: Leaf;
  const stored = (bundle: Record<string, unknown>): StoredBundle => ({ manifestDigest: DIGEST, bundle });
  /** The bundle with its first log entry changed by `change`. */
  const withEntry = (bundle: Record<string, unknown>, change: (entry: Record<string, unknown>) => void) => {
    const [entry] = (bundle.verificationMaterial as { tlogEntries: Record<string, unknown>[] }).tlogEntries;
    if (entry) change(entry);
    return bundle;
  };

  beforeAll(async () => {
    authority = await keylessAuthority();
    root = parseTrustedRoot(authority.trustedRootJson);
    leaf = await leafCertificate(authority, { subject: SUBJECT, issuer: ISSUER });
  });

  afterAll(() => {
    authority.remove();
  });

  it('accepts a bundle whose certificate, envelope and logged time all check out', () => {
    expect(
      verifyKeylessBundle(stored(keylessBundle(DIGEST, leaf, authority)), { digest: DIGEST, identity, root }),
    ).toEqual({
      signer: { subject: SUBJECT, issuer: ISSUER },
    });
  });

  it.each([
    {
      name: 'a certificate authority whose validFor window ended before the signature was logged',
      change: (r: TrustedRootJson) => {
        for (const ca of r.certificateAuthorities)
          ca.validFor = { start: '2020-01-01T00:00:00Z', end: '2021-01-01T00:00:00Z' };
      },
      problem:
        /certificate authority .*local-fulcio was trusted from 2020-01-01T00:00:00.000Z to 2021-01-01T00:00:00.000Z, not when/,
    },
    {
      name: 'a transparency-log key whose validFor window has not begun',
      change: (r: TrustedRootJson) => {
        for (const log of r.tlogs) log.publicKey.validFor = { start: '2999-01-01T00:00:00Z' };
      },
      problem: /transparency log [0-9a-f]{64} was trusted from 2999-01-01T00:00:00.000Z to now, not when/,
    },
  ])('refuses a signature vouched for by $name', ({ change, problem }) => {
    const json = JSON.parse(authority.trustedRootJson) as TrustedRootJson;
    change(json);
    const narrowed = parseTrustedRoot(JSON.stringify(json));
    const verdict = verifyKeylessBundle(stored(keylessBundle(DIGEST, leaf, authority)), {
      digest: DIGEST,
      identity,
      root: narrowed,
    });
    expect(verdict).toEqual({ problem: expect.stringMatching(problem) as string });
  });

  it('refuses an envelope signed as another payload type than an in-toto statement', () => {
    const bundle = keylessBundle(DIGEST, leaf, authority);
    (bundle.dsseEnvelope as { payloadType: string }).payloadType = 'text/plain';
    expect(verifyKeylessBundle(stored(bundle), { digest: DIGEST, identity, root })).toEqual({
      problem: 'the bundle\'s DSSE payload type is "text/plain", not application/vnd.in-toto+json',
    });
  });

  it('accepts a v0.1 bundle that rests on the log promise alone', () => {
    const bundle = withEntry(keylessBundle(DIGEST, leaf, authority), (entry) => {
      delete entry.inclusionProof;
    });
    bundle.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
    expect(verifyKeylessBundle(stored(bundle), { digest: DIGEST, identity, root })).toEqual({
      signer: { subject: SUBJECT, issuer: ISSUER },
    });
  });

  it.each([
    {
      name: 'a bundle for another digest',
      bundle: () => keylessBundle(`sha256:${'d'.repeat(64)}`, leaf, authority),
      problem: /for another digest than the pulled/,
    },
    {
      name: 'a certificate expired when logged',
      bundle: () => keylessBundle(DIGEST, leaf, authority, new Date(Date.now() + 3 * 86_400_000)),
      problem: /was not valid when the signature was logged/,
    },
    {
      name: 'a swapped log entry body',
      bundle: () =>
        withEntry(keylessBundle(DIGEST, leaf, authority), (entry) => {
          entry.canonicalizedBody = Buffer.from('{}').toString('base64');
        }),
      problem: /promise does not verify/,
    },
    {
      name: 'no log entry',
      bundle: () => {
        const bundle = keylessBundle(DIGEST, leaf, authority);
        (bundle.verificationMaterial as { tlogEntries: unknown[] }).tlogEntries = [];
        return bundle;
      },
      problem: /no transparency-log entry/,
    },
    {
      name: 'a tampered inclusion proof',
      bundle: () => withTamperedProof(keylessBundle(DIGEST, leaf, authority)),
      problem: /inclusion proof does not lead to the root hash it names/,
    },
    {
      name: 'a v0.3 bundle without an inclusion proof',
      bundle: () =>
        withEntry(keylessBundle(DIGEST, leaf, authority), (entry) => {
          delete entry.inclusionProof;
        }),
      problem:
        /carries no inclusion proof, which a bundle of application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json must/,
    },
    {
      name: 'a bundle without a promise, which alone vouches for the logged time',
      bundle: () =>
        withEntry(keylessBundle(DIGEST, leaf, authority), (entry) => {
          delete entry.inclusionPromise;
        }),
      problem: /carries no promise \(signed entry timestamp\)/,
    },
  ])('refuses $name', ({ bundle, problem }) => {
    const verdict = verifyKeylessBundle(stored(bundle()), { digest: DIGEST, identity, root });
    expect((verdict as { problem?: string }).problem).toMatch(problem);
  });
});
