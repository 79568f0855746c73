import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { provenanceLine } from '../../../../test/registry/artifacts.ts';
import { builtFrom, verifyProvenance } from './slsa.ts';

const trusted = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const sha = 'a'.repeat(64);
const source = { repository: 'https://github.com/mcpg-dev/plugins', ref: 'refs/tags/v1.2.3' };
const expected = { binarySha256: sha, sourceUri: source.repository, sourceTag: source.ref };

describe('verifyProvenance', () => {
  it('accepts a signed statement for the binary and source, among other lines', () => {
    const jsonl = [
      'not json',
      provenanceLine('b'.repeat(64), source, trusted.privateKey),
      provenanceLine(sha.toUpperCase(), source, trusted.privateKey),
    ].join('\n');
    expect(verifyProvenance(jsonl, expected, [trusted.publicKey])).toEqual({ ok: true });
  });

  it.each([
    {
      name: 'signed by another key',
      line: () => provenanceLine(sha, source, stranger.privateKey),
      reason: 'ProvenanceUnsigned',
      message: /none of 1 provenance line/,
    },
    {
      name: 'for another binary',
      line: () => provenanceLine('c'.repeat(64), source, trusted.privateKey),
      reason: 'ProvenanceMismatch',
      message: /names another binary/,
    },
    {
      name: 'from another repository',
      line: () =>
        provenanceLine(sha, { ...source, repository: 'https://github.com/evil/fork' }, trusted.privateKey),
      reason: 'ProvenanceMismatch',
      message: /built from https:\/\/github.com\/evil\/fork/,
    },
    {
      name: 'at another tag',
      line: () => provenanceLine(sha, { ...source, ref: 'refs/heads/main' }, trusted.privateKey),
      reason: 'ProvenanceMismatch',
      message: /built at refs\/heads\/main, not refs\/tags\/v1.2.3/,
    },
  ])('refuses provenance $name', ({ line, reason, message }) => {
    const outcome = verifyProvenance(line(), expected, [trusted.publicKey]);
    expect(outcome).toMatchObject({ ok: false, reason });
    expect((outcome as { message: string }).message).toMatch(message);
  });

  it('refuses a tampered payload whose signature no longer matches', () => {
    const envelope = JSON.parse(provenanceLine(sha, source, trusted.privateKey)) as { payload: string };
    const tampered = JSON.stringify({
      ...envelope,
      payload: Buffer.from(
        Buffer.from(envelope.payload, 'base64').toString().replace('v1.2.3', 'v9.9.9'),
      ).toString('base64'),
    });
    expect(
      verifyProvenance(tampered, { ...expected, sourceTag: 'refs/tags/v9.9.9' }, [trusted.publicKey]),
    ).toMatchObject({ ok: false, reason: 'ProvenanceUnsigned' });
  });
});

describe('builtFrom', () => {
  it.each([
    {
      version: 'v1 with a source',
      statement: {
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: { buildDefinition: { externalParameters: { source: { repository: 'r', ref: 't' } } } },
      },
      expected: { uri: 'r', ref: 't' },
    },
    {
      version: "v1 from GitHub's generator (workflow)",
      statement: {
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {
          buildDefinition: { externalParameters: { workflow: { repository: 'r', ref: 't', path: 'p' } } },
        },
      },
      expected: { uri: 'r', ref: 't' },
    },
    {
      version: 'v0.2',
      statement: {
        predicateType: 'https://slsa.dev/provenance/v0.2',
        predicate: { invocation: { configSource: { uri: 'r', entryPoint: 't' } } },
      },
      expected: { uri: 'r', ref: 't' },
    },
    {
      version: 'another predicate',
      statement: { predicateType: 'https://example.com/x' },
      expected: undefined,
    },
  ])('reads $version', ({ statement, expected }) => {
    expect(builtFrom(statement)).toEqual(expected);
  });
});
