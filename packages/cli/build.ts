/**
 * Builds the mcpg command into one CommonJS file that Node 20 and newer run with nothing installed beside it
 * (dist/mcpg.cjs), and packs the package as an npm tarball.
 *
 *   node packages/cli/build.ts [--pack <folder>]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const packageDir = import.meta.dirname;
const distDir = path.join(packageDir, 'dist');

export async function buildCli(): Promise<string> {
  rmSync(distDir, { recursive: true, force: true });
  const outfile = path.join(distDir, 'mcpg.cjs');
  await build({
    entryPoints: [path.join(packageDir, 'src', 'mcpg.ts')],
    bundle: true,
    platform: 'node',
    // CommonJS so that the version gate in bin/ can load it with require() after checking the version.
    format: 'cjs',
    target: 'node20',
    outfile,
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  mkdirSync(distDir, { recursive: true });
  copyFileSync(path.join(packageDir, '..', '..', 'LICENSE'), path.join(distDir, 'LICENSE'));
  return outfile;
}

/** Runs `npm pack` on the built package; resolves with the tarball's path. */
export function packCli(destination: string): string {
  mkdirSync(destination, { recursive: true });
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: packageDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [packed] = JSON.parse(output) as { filename: string }[];
  if (!packed) throw new Error('npm pack reported no tarball');
  return path.join(destination, packed.filename);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { pack: { type: 'string' } } });
  console.error(`built ${path.relative(process.cwd(), await buildCli())}`);
  if (values.pack)
    console.error(`packed ${path.relative(process.cwd(), packCli(path.resolve(values.pack)))}`);
}
