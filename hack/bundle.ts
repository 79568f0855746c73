/**
 * Makes each reconcile function's folder self-contained: `kn func` builds a function from its folder alone, so
 * its code and every dependency (the shared package included) are bundled into `<folder>/dist/function.mjs`,
 * which the folder's `npm start` runs.
 *
 *   node hack/bundle.ts [function ...]      (default: every folder under functions/ with a func.yaml)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/** Some dependencies are CommonJS and call require(); an ES module bundle gets one. */
export const ESM_REQUIRE_BANNER = {
  js: "import { createRequire as __mcpgRequire } from 'node:module'; const require = __mcpgRequire(import.meta.url);",
};

const root = path.resolve(import.meta.dirname, '..');

/**
 * Node.js built-in modules imported as CommonJS (`require`), never as ES modules. An ES module namespace reads
 * every export of a built-in once, and some exports are lazy: `node:http`'s `WebSocket`, `CloseEvent` and
 * `MessageEvent` load Node's own copy of undici, which no function uses. Measured on Node.js 24 with the process
 * settings below, an idle process importing the built-ins a function imports costs about 6 MiB more resident
 * memory as ES modules than with `require` (5 of them for `node:http`).
 */
const BUILTINS_BY_REQUIRE: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^[a-z:_/]+$/ }, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path)
        ? { path: args.path, namespace: 'builtin-by-require' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * zod's error messages in English only. zod's index re-exports every locale it ships (about fifty, as
 * `z.locales`), so a bundle carries and parses them all while zod itself only ever uses English unless told
 * otherwise (`z.config`), which no function does. Measured on an idle `server` function, about 3 MiB resident.
 */
const ZOD_ENGLISH_ONLY: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

export function functionNames(): string[] {
  return readdirSync(path.join(root, 'functions')).filter((name) =>
    existsSync(path.join(root, 'functions', name, 'func.yaml')),
  );
}

/**
 * The environment every function's Node.js process runs with, however it is deployed: the images set it, each
 * func.yaml repeats it for `kn func` (a unit test keeps them equal) and the benchmarks start the bundles with it.
 * A function is a small, mostly idle container, and V8's and glibc's defaults are sized for large servers:
 *   - `--max-semi-space-size=1`: V8 grows the young generation to 8 MiB and keeps it committed once the start-up
 *     has allocated that much; 1 MiB costs a few more scavenges of short-lived objects and saves about 6 MiB idle
 *     (and frees the socket buffers of a streamed blob sooner, see test/bench/mirror.ts);
 *   - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (V8's compiler and GC helpers) an arena of its
 *     own, which keeps what they freed; two arenas save about 3 MiB idle and more during a mirror copy;
 *   - `MALLOC_TRIM_THRESHOLD_=131072`: glibc's own default, set so that it stays fixed: otherwise glibc raises it
 *     (up to 32 MiB) once a large block is freed, and then keeps the top of the heap V8's parser freed during
 *     start-up; fixed, about 1 MiB more goes back to the system when idle.
 */
export const FUNCTION_PROCESS_ENV: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--max-semi-space-size=1',
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

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
    // Whitespace and syntax only, names kept: V8 holds the whole source in memory (a third less this way), while
    // stack traces keep their function names and the source map leads back to the code.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
    banner: ESM_REQUIRE_BANNER,
    plugins: [BUILTINS_BY_REQUIRE, ZOD_ENGLISH_ONLY],
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
