/**
 * One mirror copy in its own process, so the benchmark can read this process's peak memory alone:
 *   node test/bench/mirror-worker.ts <source host> <target host> <repository> <digest> <target repository>
 * Prints one JSON line: seconds, copy statistics and peak RSS.
 */
import { RegistryClient } from '../../functions/supply-chain/src/oci/client.ts';
import { copyWithAttachments } from '../../functions/supply-chain/src/mirror/copy.ts';

const [sourceHost, targetHost, repository, digest, targetRepository] = process.argv.slice(2);
if (!sourceHost || !targetHost || !repository || !digest || !targetRepository)
  throw new Error('usage: mirror-worker.ts <source> <target> <repository> <digest> <target repository>');
const started = process.hrtime.bigint();
const stats = await copyWithAttachments(
  {
    source: new RegistryClient({ registry: sourceHost, plainHttp: true }),
    target: new RegistryClient({ registry: targetHost, plainHttp: true }),
    from: repository,
    to: targetRepository,
  },
  digest,
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ seconds, stats, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
