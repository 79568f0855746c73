/**
 * How long the built mcpg command takes to validate docs/examples, process start to exit, under each maintained
 * Node LTS line (installed from the npm registry into the cache when missing), next to `node -e ''` (the floor).
 *
 *   node test/bench/cli-start.ts [runs]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { buildCli } from '../../packages/cli/build.ts';
import { REPO_ROOT } from '../cluster/tools.ts';
import { EXAMPLES_DIR } from '../fixtures/examples.ts';
import { median, report, type Row } from './report.ts';

const runs = Number(process.argv[2] ?? 20);
const bin = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'mcpg.cjs');

/** Wall-clock milliseconds of each of `runs` runs of `node args…`, which must exit with `expected`. */
function time(node: string, args: string[], expected: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    const result = spawnSync(node, args, { stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== expected) throw new Error(`${node} ${args.join(' ')} exited ${result.status}`);
  }
  return samples;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const percentile90 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.9) - 1] ?? 0;

await buildCli();
const rows: Row[] = [];
for (const major of ['20', '22', '24']) {
  const dir = execFileSync(path.join(REPO_ROOT, 'hack', 'setup-node.sh'), [major], {
    encoding: 'utf8',
  }).trim();
  const node = path.join(dir, 'node');
  const floor = time(node, ['-e', ''], 0);
  const validate = time(node, [bin, 'validate', EXAMPLES_DIR], 0);
  rows.push({
    node: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
    'mcpg validate docs/examples, median': ms(median(validate)),
    p90: ms(percentile90(validate)),
    "node -e '' (floor), median": ms(median(floor)),
  });
}
await report('cli-start', rows, { runs, loadAverage: os.loadavg() });
