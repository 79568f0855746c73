#!/usr/bin/env node
/**
 * mcpg: the offline tools for GitOps pipelines.
 *   mcpg validate <files or folders>   check mcpg.dev manifests against every rule that needs no cluster
 */
import { collectFiles, validateFile, type Finding } from './manifests.ts';

const USAGE = 'usage: mcpg validate <file or folder>...';

async function validate(inputs: string[]): Promise<number> {
  if (inputs.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let files: string[];
  try {
    files = await collectFiles(inputs);
  } catch (error) {
    console.error(`mcpg: ${(error as Error).message}`);
    return 2;
  }
  const findings: Finding[] = [];
  let documents = 0;
  for (const file of files) {
    const result = await validateFile(file);
    findings.push(...result.findings);
    documents += result.documents;
  }
  for (const f of findings) {
    const line = `${f.file}:${f.line}: ${f.severity === 'warning' ? 'warning: ' : ''}${f.text}`;
    if (f.severity === 'error') console.log(line);
    else console.error(line);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  console.error(
    `${documents} manifest(s) in ${files.length} file(s): ${errors === 0 ? 'valid' : `${errors} error(s)`}`,
  );
  return errors === 0 ? 0 : 1;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'validate') process.exitCode = await validate(args);
else {
  console.error(USAGE);
  process.exitCode = 2;
}
