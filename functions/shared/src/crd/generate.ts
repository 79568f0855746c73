/**
 * Writes what is generated from the schemas: `node functions/shared/src/crd/generate.ts <crd folder> <api.md>`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderApiReference } from './api-reference.ts';
import { renderCrds } from './render.ts';

const [outDir, apiReference] = process.argv.slice(2);
if (!outDir || !apiReference) {
  console.error('usage: node functions/shared/src/crd/generate.ts <crd folder> <api reference file>');
  process.exit(2);
}
await mkdir(outDir, { recursive: true });
for (const [file, text] of renderCrds()) await writeFile(path.join(outDir, file), text);
console.error(`wrote ${renderCrds().size} CRDs to ${outDir}`);
await writeFile(apiReference, renderApiReference());
console.error(`wrote the API reference to ${apiReference}`);
