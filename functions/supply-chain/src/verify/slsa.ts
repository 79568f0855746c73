/**
 * SLSA provenance for a plugin binary: DSSE envelopes, one a line (`provenance.intoto.jsonl`), each signed by one
 * of the plugin's trusted keys (an unsigned or foreign envelope counts for nothing), whose in-toto statement names
 * the binary's sha256 and was built from the expected source repository and tag.
 */
import type { KeyObject } from 'node:crypto';
import { isEnvelope, namesSubject, openEnvelope, parseStatement, type Statement } from './dsse.ts';

const V1 = 'https://slsa.dev/provenance/v1';
const V02 = 'https://slsa.dev/provenance/v0.2';

export interface ProvenanceExpectation {
  binarySha256: string;
  sourceUri: string;
  sourceTag: string;
}

export type ProvenanceOutcome =
  { ok: true } | { ok: false; reason: 'ProvenanceUnsigned' | 'ProvenanceMismatch'; message: string };

type Json = Record<string, unknown> | undefined;

function field(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined,
    value,
  );
}

function v1Source(predicate: unknown): { uri?: unknown; ref?: unknown } {
  const parameters = field(predicate, 'buildDefinition', 'externalParameters');
  // MCPG's own builder records `source`; GitHub's generator records `workflow`.
  const source = (field(parameters, 'source') ?? field(parameters, 'workflow')) as Json;
  return { uri: source?.repository, ref: source?.ref ?? source?.digest };
}

function v02Source(predicate: unknown): { uri?: unknown; ref?: unknown } {
  const config = field(predicate, 'invocation', 'configSource') as Json;
  return { uri: config?.uri, ref: config?.entryPoint ?? config?.ref };
}

/** Source repository and ref the statement says it was built from. */
export function builtFrom(statement: Statement): { uri?: unknown; ref?: unknown } | undefined {
  if (statement.predicateType === V1) return v1Source(statement.predicate);
  if (statement.predicateType === V02) return v02Source(statement.predicate);
  return undefined;
}

function mismatch(statement: Statement, expected: ProvenanceExpectation): string | undefined {
  if (!namesSubject(statement, expected.binarySha256)) return 'names another binary';
  const source = builtFrom(statement);
  if (!source) return `has predicate type ${String(statement.predicateType)}, not SLSA v1 or v0.2`;
  if (source.uri !== expected.sourceUri)
    return `was built from ${String(source.uri)}, not ${expected.sourceUri}`;
  if (source.ref !== expected.sourceTag)
    return `was built at ${String(source.ref)}, not ${expected.sourceTag}`;
  return undefined;
}

function envelopes(jsonl: string): unknown[] {
  return jsonl
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return undefined;
      }
    });
}

export function verifyProvenance(
  jsonl: string,
  expected: ProvenanceExpectation,
  keys: readonly KeyObject[],
): ProvenanceOutcome {
  const all = envelopes(jsonl);
  const statements = all
    .filter(isEnvelope)
    .map((envelope) => openEnvelope(envelope, keys))
    .filter((payload) => payload !== undefined)
    .map(parseStatement)
    .filter((statement) => statement !== undefined);
  if (statements.length === 0)
    return {
      ok: false,
      reason: 'ProvenanceUnsigned',
      message: `none of ${all.length} provenance line(s) is a DSSE envelope signed by a key this plugin trusts`,
    };
  const problems = statements.map((statement) => mismatch(statement, expected));
  if (problems.includes(undefined)) return { ok: true };
  return {
    ok: false,
    reason: 'ProvenanceMismatch',
    message: `no signed provenance statement matches: it ${[...new Set(problems)].join('; ')}`,
  };
}
