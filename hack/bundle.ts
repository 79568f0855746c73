/**
 * Makes each reconcile function's folder self-contained: `kn func` builds a function from its folder alone, so
 * its code and every dependency (the shared package included) are bundled into `<folder>/dist/function.mjs`,
 * which the folder's `npm start` runs.
 *
 *   node hack/bundle.ts [function ...]      (default: every folder under functions/ with a func.yaml)
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');

export function functionNames(): string[] {
  return readdirSync(path.join(root, 'functions')).filter((name) =>
    existsSync(path.join(root, 'functions', name, 'func.yaml')),
  );
}

export async function bundle(
  name: string,
  outDir = path.join(root, 'functions', name, 'dist'),
): Promise<string> {
  const outfile = path.join(outDir, 'function.mjs');
  // Chunk names carry content hashes; start empty so no stale chunk is shipped.
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(root, 'functions', name, 'src', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Code loaded only on demand (the tracing SDK) goes to chunks/, so a function that never needs it never
    // parses it.
    splitting: true,
    outdir: outDir,
    entryNames: 'function',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    minify: false,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
    // Some dependencies are CommonJS and call require(); give the ES module bundle one.
    banner: {
      js: "import { createRequire as __mcpgRequire } from 'node:module'; const require = __mcpgRequire(import.meta.url);",
    },
  });
  return outfile;
}

if (import.meta.main) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : functionNames();
  for (const name of names) console.error(`bundled ${path.relative(root, await bundle(name))}`);
}
