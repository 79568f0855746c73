/**
 * Makes each reconcile function's folder self-contained: `kn func` builds a function from its folder alone, so
 * its code and every dependency (the shared package included) are bundled into `<folder>/dist/function.mjs`,
 * which the folder's `npm start` runs.
 *
 *   node hack/bundle.ts [function ...]      (default: every folder under functions/ with a func.yaml)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** Some dependencies are CommonJS and call require(); an ES module bundle gets one. */
export const ESM_REQUIRE_BANNER = {
  js: "import { createRequire as __mcpgRequire } from 'node:module'; const require = __mcpgRequire(import.meta.url);",
};

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
    // Paths in comments and source maps are relative to the repository, wherever it is checked out.
    absWorkingDir: root,
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
    charset: 'ascii',
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
    banner: ESM_REQUIRE_BANNER,
  });
  asciiOnly(outDir);
  return outfile;
}

/**
 * V8 keeps a script's source in memory at two bytes per character if it holds a single non-ASCII one.
 * esbuild escapes them in code but keeps comments as written, so the few left (all in comments) are escaped.
 */
function asciiOnly(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.mjs')) continue;
    const file = path.join(dir, entry);
    const text = readFileSync(file, 'utf8');
    const escaped = text.replace(/[^\p{ASCII}]/gu, (c) =>
      [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
    );
    if (escaped !== text) writeFileSync(file, escaped);
  }
}

if (import.meta.main) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : functionNames();
  for (const name of names) console.error(`bundled ${path.relative(root, await bundle(name))}`);
}
