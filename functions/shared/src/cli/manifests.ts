/** Reads YAML manifests (multi-document files and folders) and places findings at their file and line. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { splitPath, validateManifest, type ValidationResult } from '../api/index.ts';

export interface Finding {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  /** `spec.field: message` */
  text: string;
}

const YAML_FILE = /\.ya?ml$/i;

/** Expands folders (recursively) into their YAML files, in a stable order. */
export async function collectFiles(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input);
    if (!info.isDirectory()) {
      files.push(input);
      continue;
    }
    const entries = await readdir(input, { recursive: true, withFileTypes: true });
    files.push(
      ...entries
        .filter((e) => e.isFile() && YAML_FILE.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .sort(),
    );
  }
  return files;
}

/** Validates every document of one file; documents of other API groups are left alone. */
export async function validateFile(file: string): Promise<{ findings: Finding[]; documents: number }> {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(await readFile(file, 'utf8'), { lineCounter, prettyErrors: false });
  const findings: Finding[] = [];
  let checked = 0;
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const lineOf = (fieldPath: string) => lineOfPath(document, fieldPath, lineCounter);
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = lineCounter.linePos(error.pos[0]).line;
        findings.push({ file, line, severity: 'error', text: `YAML: ${error.message.split('\n')[0] ?? ''}` });
      }
      continue;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined || !isOurs(value)) continue;
    checked += 1;
    findings.push(...place(file, validateManifest(value), lineOf));
  }
  return { findings, documents: checked };
}

/** Ours: an mcpg.dev object of any version (so that v1alpha1 gets its migration hint). */
function isOurs(value: unknown): boolean {
  if (typeof value !== 'object' || Array.isArray(value)) return true;
  const apiVersion = (value as { apiVersion?: unknown }).apiVersion;
  return typeof apiVersion !== 'string' || apiVersion.startsWith('mcpg.dev/');
}

function place(file: string, result: ValidationResult, lineOf: (p: string) => number): Finding[] {
  return [
    ...result.errors.map((e) => ({
      file,
      line: lineOf(e.path),
      severity: 'error' as const,
      text: e.path ? `${e.path}: ${e.message}` : e.message,
    })),
    ...result.warnings.map((w) => ({
      file,
      line: lineOf(w.split(' ')[0] ?? ''),
      severity: 'warning' as const,
      text: w,
    })),
  ];
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
