/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by source file or package, as
 * shares of the busy time (everything but idle). Frames in a bundle are traced back to their source through the
 * bundle's linked source map, so a bundled function reads like its source. The last table is the total time
 * under each function of the program (its own and its callees', counted once when it recurses).
 *
 *   node test/bench/cpu-profile.ts <file.cpuprofile> [rows, default 25]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile.ts <file.cpuprofile> [rows]');
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const sourceMaps = new Map<string, SourceMap | undefined>();
function sourceMapOf(url: string): SourceMap | undefined {
  if (!sourceMaps.has(url)) {
    const mapFile = url.startsWith('file:') ? `${fileURLToPath(url)}.map` : '';
    sourceMaps.set(
      url,
      mapFile && existsSync(mapFile)
        ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as never)
        : undefined,
    );
  }
  return sourceMaps.get(url);
}

/** The source file a frame's code came from: a package name for dependencies, a repository path otherwise. */
function sourceOf({ url, lineNumber, columnNumber }: CallFrame): { source: string; line: number } {
  const entry = sourceMapOf(url)?.findEntry(lineNumber, columnNumber);
  const source = entry && 'originalSource' in entry ? entry.originalSource : url;
  const line = entry && 'originalLine' in entry ? entry.originalLine + 1 : lineNumber + 1;
  return { source: source.replace(/^.*?(node_modules\/|functions\/|packages\/)/, '$1'), line };
}

function packageOf(source: string): string {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (dependency) return dependency[1] ?? source;
  if (source.startsWith('node:') || source === '') return source || '(native or V8)';
  return source.replace(/\/src\/.*\/([^/]+)$/, '/src/…/$1');
}

const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let busy = 0;
let idle = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  if (node.callFrame.functionName === '(idle)') {
    idle += micros;
    continue;
  }
  busy += micros;
  const { source, line } = sourceOf(node.callFrame);
  const name = node.callFrame.functionName || '(anonymous)';
  const key = source ? `${name}  ${source}:${line}` : name;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const where = name.startsWith('(') ? name : packageOf(source);
  byPackage.set(where, (byPackage.get(where) ?? 0) + micros);
}

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const keyOf = (node: ProfileNode) => {
  const { source, line } = sourceOf(node.callFrame);
  return `${node.callFrame.functionName || '(anonymous)'}  ${source}:${line}`;
};
const inclusive = new Map<string, number>();
/** Walks the call tree from the root; returns the node's total time, adding it once per function on the path. */
function walk(node: ProfileNode, onPath: Set<string>): number {
  const key = keyOf(node);
  const outermost = !onPath.has(key);
  if (outermost) onPath.add(key);
  let total = selfMicros.get(node.id) ?? 0;
  for (const child of node.children ?? []) {
    const childNode = nodes.get(child);
    if (childNode) total += walk(childNode, onPath);
  }
  if (outermost) {
    onPath.delete(key);
    if (!node.callFrame.url.startsWith('node:') && node.callFrame.url !== '')
      inclusive.set(key, (inclusive.get(key) ?? 0) + total);
  }
  return total;
}
const root = profile.nodes[0];
if (root) walk(root, new Set());

const table = (totals: Map<string, number>) =>
  [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([what, micros]) => ({
      what,
      ms: Math.round(micros / 1000),
      '% busy': +((100 * micros) / busy).toFixed(1),
    }));

console.log(`${file}: busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`);
console.table(table(byPackage));
console.table(table(byFunction));
console.table(table(inclusive));
