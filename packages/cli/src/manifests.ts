/**
 * Reads manifests (YAML or JSON, multi-document files, folders, standard input) and places findings at their
 * file and line. Documents that are not Kubernetes manifests (CI workflows, Helm values) are noted and skipped;
 * manifests of other API groups are left alone.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { splitPath, validateManifest, type ValidationResult } from '@mcpg-functions/shared/api';
import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';

export type Severity = 'error' | 'warning' | 'notice';

/** One finding, in the shape CI annotations take. */
export interface Finding {
  file: string;
  line: number;
  /** The field's path (`spec.replicas`); empty when the finding is about the whole document. */
  field: string;
  message: string;
  severity: Severity;
}

/** Something to read: a file, or standard input (`-`). */
export interface Source {
  name: string;
  read: () => Promise<string>;
}

/** A path the user named that does not exist; reported as one line. */
export class MissingPathError extends Error {
  readonly code = 'MCPG_ERR_MISSING_PATH';

  constructor(missing: string) {
    super(`no such file or folder: ${missing}`);
    this.name = 'MissingPathError';
  }
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
export const STDIN_NAME = '<stdin>';

/** Expands folders (recursively) into their YAML and JSON files, in a stable order; `-` is standard input. */
export async function collectSources(
  inputs: readonly string[],
  stdin: () => Promise<string>,
): Promise<Source[]> {
  const sources: Source[] = [];
  for (const input of inputs) {
    if (input === '-') {
      sources.push({ name: STDIN_NAME, read: stdin });
      continue;
    }
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new MissingPathError(input);
    const files = info.isDirectory() ? await manifestFilesUnder(input) : [input];
    sources.push(...files.map((file) => ({ name: file, read: () => readFile(file, 'utf8') })));
  }
  return sources;
}

async function manifestFilesUnder(folder: string): Promise<string[]> {
  const names = (await readdir(folder, { recursive: true })).filter((name) => MANIFEST_FILE.test(name));
  const files: string[] = [];
  for (const name of names.sort()) {
    const file = path.join(folder, name);
    if ((await stat(file)).isFile()) files.push(file);
  }
  return files;
}

/** Validates every document of one source; returns its findings and how many mcpg.dev manifests it held. */
export function validateText(file: string, text: string): { findings: Finding[]; manifests: number } {
  const lineCounter = new LineCounter();
  // JSON is YAML, so one parser reads both and gives lines for either.
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const findings: Finding[] = [];
  let manifests = 0;
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const at = (field: string) => lineOfPath(document, field, lineCounter);
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = lineCounter.linePos(error.pos[0]).line;
        const message = `YAML: ${error.message.split('\n')[0] ?? ''}`;
        findings.push({ file, line, field: '', message, severity: 'error' });
      }
      continue;
    }
    const value: unknown = document.toJS();
    const kind = classify(value);
    if (kind === 'not-a-manifest') {
      const message = 'skipped: not a Kubernetes manifest (it has no apiVersion and kind)';
      findings.push({ file, line: at(''), field: '', message, severity: 'notice' });
    }
    if (kind !== 'ours') continue;
    manifests += 1;
    findings.push(...place(file, validateManifest(value), at));
  }
  return { findings, manifests };
}

type DocumentKind = 'empty' | 'not-a-manifest' | 'other-group' | 'ours';

/** Ours: an mcpg.dev object of any version (so v1alpha1 gets its migration hint), or an MCPG kind with no group. */
function classify(value: unknown): DocumentKind {
  if (value === null || value === undefined) return 'empty';
  if (typeof value !== 'object' || Array.isArray(value)) return 'not-a-manifest';
  const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion === 'string') return apiVersion.startsWith('mcpg.dev/') ? 'ours' : 'other-group';
  if (typeof kind === 'string') return kind.startsWith('MCPG') ? 'ours' : 'other-group';
  return 'not-a-manifest';
}

function place(file: string, result: ValidationResult, at: (field: string) => number): Finding[] {
  const errors = result.errors.map((e) => ({
    file,
    line: at(e.path),
    field: e.path,
    message: e.message,
    severity: 'error' as const,
  }));
  // Warnings read `spec.field what is wrong`: the first word is the field.
  const warnings = result.warnings.map((w) => {
    const [field = '', ...rest] = w.split(' ');
    return { file, line: at(field), field, message: rest.join(' '), severity: 'warning' as const };
  });
  return [...errors, ...warnings];
}

/** The line of the deepest node of `fieldPath` that exists in the document (the document start otherwise). */
function lineOfPath(document: Document, fieldPath: string, lineCounter: LineCounter): number {
  const parts = splitPath(fieldPath);
  for (let depth = parts.length; depth >= 0; depth -= 1) {
    const node: unknown = document.getIn(parts.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return document.range ? lineCounter.linePos(document.range[0]).line : 1;
}
