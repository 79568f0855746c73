/** Benchmarks print a table and write the same figures as JSON under test/bench/results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type Row = Record<string, string | number>;

export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}

/** The value at or below which `p` percent of the values fall (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export async function report(
  name: string,
  rows: Row[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  console.table(rows);
  const dir = path.join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  await writeFile(
    file,
    JSON.stringify({ name, date: new Date().toISOString(), machine, rows, ...extra }, null, 2) + '\n',
  );
  console.log(`written to ${path.relative(process.cwd(), file)}`);
  return file;
}
