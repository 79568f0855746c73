/** `mcpg validate`: every rule that needs no cluster, over files, folders and standard input. */
import type { Io } from './io.ts';
import { collectSources, MissingPathError, validateText, type Finding, type Source } from './manifests.ts';

export type OutputFormat = 'text' | 'json';

export interface ValidateSummary {
  files: number;
  manifests: number;
  errors: number;
  warnings: number;
  skipped: number;
}

/** Exit codes: 0 valid, 1 at least one error, 2 a path that does not exist. */
export async function validate(inputs: readonly string[], output: OutputFormat, io: Io): Promise<number> {
  let sources: Source[];
  try {
    sources = await collectSources(inputs, io.readStdin);
  } catch (error) {
    if (!(error instanceof MissingPathError)) throw error;
    io.err(`mcpg: ${error.message}`);
    return 2;
  }
  const findings: Finding[] = [];
  let manifests = 0;
  for (const source of sources) {
    const text = await source.read().catch((error: unknown) => error as NodeJS.ErrnoException);
    if (typeof text !== 'string') {
      const message = `cannot read the file (${text.code ?? text.message})`;
      findings.push({ file: source.name, line: 1, field: '', message, severity: 'error' });
      continue;
    }
    const result = validateText(source.name, text);
    findings.push(...result.findings);
    manifests += result.manifests;
  }
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  const summary = {
    files: sources.length,
    manifests,
    errors: count('error'),
    warnings: count('warning'),
    skipped: count('notice'),
  };
  if (output === 'json') io.out(JSON.stringify({ findings, summary }, null, 2));
  else printText(findings, summary, io);
  return summary.errors === 0 ? 0 : 1;
}

/** Errors on standard output (`file:line: field: message`), warnings, notes and the summary on standard error. */
function printText(findings: readonly Finding[], summary: ValidateSummary, io: Io): void {
  for (const f of findings) {
    const where = `${f.file}:${f.line}`;
    if (f.severity === 'error') io.out(`${where}: ${f.field ? `${f.field}: ` : ''}${f.message}`);
    else if (f.severity === 'warning') io.err(`${where}: warning: ${f.field} ${f.message}`);
    else io.err(`${where}: note: ${f.message}`);
  }
  const verdict = summary.errors === 0 ? 'valid' : `${summary.errors} error(s)`;
  const skipped = summary.skipped > 0 ? `, ${summary.skipped} document(s) skipped` : '';
  io.err(`${summary.manifests} manifest(s) in ${summary.files} file(s): ${verdict}${skipped}`);
}
