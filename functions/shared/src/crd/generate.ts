/** Writes the generated CRDs: `node functions/shared/src/crd/generate.ts <output folder>`. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderCrds } from './render.ts';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node functions/shared/src/crd/generate.ts <output folder>');
  process.exit(2);
}
await mkdir(outDir, { recursive: true });
for (const [file, text] of renderCrds()) await writeFile(path.join(outDir, file), text);
console.error(`wrote ${renderCrds().size} CRDs to ${outDir}`);
