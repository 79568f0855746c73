/**
 * One mirror copy in its own process, so the benchmark can read this process's peak memory alone:
 *   node test/bench/mirror-worker.ts <source host> <target host> <repository> <digest> <target repository>
 * Prints one JSON line: seconds, copy statistics, CPU time and memory (resident before the copy, and the peaks of
 * resident, V8 heap and ArrayBuffer memory sampled while it runs), so a peak can be told apart: code loaded,
 * objects on the heap, or network buffers not yet collected.
 */
import { readFileSync } from 'node:fs';
import { RegistryClient } from '../../functions/supply-chain/src/oci/client.ts';
import { loopbackNetwork } from '../registry/operator-access.ts';
import { copyWithAttachments } from '../../functions/supply-chain/src/mirror/copy.ts';

const [sourceHost, targetHost, repository, digest, targetRepository] = process.argv.slice(2);
if (!sourceHost || !targetHost || !repository || !digest || !targetRepository)
  throw new Error('usage: mirror-worker.ts <source> <target> <repository> <digest> <target repository>');

const MiB = 1024 * 1024;

/**
 * This process's own resident high-water mark. Not getrusage's maxRSS: Linux carries that across fork and exec, so
 * a worker started by a large parent would report the parent's peak.
 */
function peakRssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) / 1024;
}

const peaks = { heapUsed: 0, arrayBuffers: 0 };
const sample = () => {
  const usage = process.memoryUsage();
  peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
  peaks.arrayBuffers = Math.max(peaks.arrayBuffers, usage.arrayBuffers);
};
const rssBeforeMiB = process.memoryUsage().rss / MiB;
const cpuBefore = process.cpuUsage();
const sampler = setInterval(sample, 5);
const started = process.hrtime.bigint();
const stats = await copyWithAttachments(
  {
    source: new RegistryClient({
      registry: sourceHost,
      plainHttp: true,
      network: loopbackNetwork(sourceHost),
    }),
    target: new RegistryClient({
      registry: targetHost,
      plainHttp: true,
      network: loopbackNetwork(targetHost),
    }),
    from: repository,
    to: targetRepository,
  },
  digest,
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
clearInterval(sampler);
sample();
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    seconds,
    stats,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBeforeMiB,
    peakRssMiB: peakRssMiB(),
    peakHeapMiB: peaks.heapUsed / MiB,
    peakArrayBuffersMiB: peaks.arrayBuffers / MiB,
  }),
);
