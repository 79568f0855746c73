/** Counters from Prometheus' text exposition format (the API server's /metrics), summed and compared. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

const SPECIAL_VALUES: Record<string, number> = { '+Inf': Infinity, '-Inf': -Infinity, NaN: NaN };

function parseValue(text: string, line: string): number {
  const special = SPECIAL_VALUES[text];
  if (special !== undefined) return special;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`unreadable value in metrics line: ${line}`);
  return value;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  let consumed = 0;
  for (let match = LABEL.exec(text); match; match = LABEL.exec(text)) {
    labels[match[1] ?? ''] = unescape(match[2] ?? '');
    consumed = LABEL.lastIndex;
  }
  if (text.slice(consumed).trim() !== '') throw new Error(`unreadable labels in metrics line: ${line}`);
  return labels;
}

/** Every sample of the exposition; comments and blank lines are skipped, a malformed line is an error. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`unreadable metrics line: ${line}`);
    const value = parseValue(match[3] ?? '', line);
    samples.push({ name: match[1] ?? '', labels: parseLabels(match[2] ?? '', line), value });
  }
  return samples;
}

/** One metric's values summed by the value of `byLabel`, over the samples whose labels match `where`. */
export function sumBy(
  samples: readonly Sample[],
  metric: string,
  byLabel: string,
  where: Record<string, string> = {},
): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name !== metric) continue;
    if (!Object.entries(where).every(([k, v]) => sample.labels[k] === v)) continue;
    const key = sample.labels[byLabel] ?? '';
    sums[key] = (sums[key] ?? 0) + sample.value;
  }
  return sums;
}

/** How much each counter grew from `before` to `after` (a key missing before counts from 0; zeros dropped). */
export function growth(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, value - (before[key] ?? 0)] as const)
      .filter(([, grown]) => grown !== 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, value) => sum + value, 0);
}
