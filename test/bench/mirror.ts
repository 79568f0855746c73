/**
 * Mirror copy of a large artifact between two real local registries (docker-registry on loopback): our OCI
 * client's streaming, digest-checked copy next to `crane copy` in the same run, each in its own process, with
 * throughput, CPU time and peak RSS (ours also split into resident before the copy, V8 heap and ArrayBuffer
 * peaks); then plugin verifications per second in a warm process: key-based (pull by digest, Ed25519 and cosign
 * key checks) and keyless (pull by digest, cosign keyless against a local CA and transparency-log key in a
 * custom trusted root, loaded once).
 *
 *   node test/bench/mirror.ts [MiB, default 200] [rounds, default 3] [verifications, default 200] [layers, default 1]
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_PROCESS_ENV } from '../../hack/bundle.ts';
import { statCpuSeconds } from '../cluster/processes.ts';
import { pullPlugin } from '../../functions/supply-chain/src/artifact/plugin-artifact.ts';
import { RegistryClient } from '../../functions/supply-chain/src/oci/client.ts';
import { loopbackNetwork } from '../registry/operator-access.ts';
import { verifyCosignKey } from '../../functions/supply-chain/src/verify/cosign-key.ts';
import { verifyCosignKeyless } from '../../functions/supply-chain/src/verify/cosign-keyless.ts';
import { verifyDetached } from '../../functions/supply-chain/src/verify/ed25519.ts';
import { ed25519PublicKey, pemPublicKey } from '../../functions/supply-chain/src/verify/keys.ts';
import { parseTrustedRoot } from '../../functions/supply-chain/src/verify/trusted-root.ts';
import { toolPath } from '../cluster/tools.ts';
import {
  cosignKeyPair,
  cosignSignClassic,
  ed25519Pair,
  pluginPackage,
  pushManifest,
  pushPlugin,
} from '../registry/artifacts.ts';
import {
  keylessAuthority,
  keylessSignature,
  leafCertificate,
  pushKeylessSignature,
} from '../registry/keyless.ts';
import { startRegistry, type LocalRegistry } from '../registry/registry.ts';
import { median, report, type Row } from './report.ts';

const mib = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const verifications = Number(process.argv[4] ?? 200);
const layerCount = Number(process.argv[5] ?? 1);

interface Sample {
  seconds: number;
  peakMiB: number;
  cpuSeconds: number;
}

/**
 * Peak RSS (VmHWM, the high-water mark) and CPU time (user + system) of a child process, read from /proc while it
 * runs; the CPU time is the last reading, at most one interval before the exit.
 */
function watch(pid: number): () => Omit<Sample, 'seconds'> {
  let peakMiB = 0;
  let cpuSeconds = 0;
  const read = async () => {
    try {
      const [status, stat] = await Promise.all([
        readFile(`/proc/${pid}/status`, 'utf8'),
        readFile(`/proc/${pid}/stat`, 'utf8'),
      ]);
      peakMiB = Math.max(peakMiB, Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) / 1024);
      cpuSeconds = statCpuSeconds(stat);
    } catch {
      // The process has exited.
    }
  };
  const timer = setInterval(() => void read(), 20);
  return () => {
    clearInterval(timer);
    return { peakMiB, cpuSeconds };
  };
}

async function timed(
  binary: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Sample & { stdout: string }> {
  const started = process.hrtime.bigint();
  const child = execFile(binary, args, { maxBuffer: 1024 * 1024, env: { ...process.env, ...env } });
  const stop = watch(child.pid ?? 0);
  const stdout = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${binary} exited ${String(code)}`));
    });
  });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, ...stop(), stdout };
}

/** An image of `mib` MiB of random bytes in `layerCount` layers of equal size. */
async function pushLargeImage(registry: LocalRegistry): Promise<string> {
  const layerBytes = Math.floor((mib * 1024 * 1024) / layerCount);
  const layers = Array.from({ length: layerCount }, () => randomBytes(layerBytes));
  const config = Buffer.from(
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  );
  const digest = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  return pushManifest(`${registry.host}/bench/large:1`, {
    manifest: {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: digest(config),
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: digest(layer),
        size: layer.length,
      })),
    },
    blobs: [config, ...layers],
  });
}

/**
 * The copy worker bundled as the function is deployed (one ES module, minified like hack/bundle.ts's), so its
 * memory is the deployed one.
 */
async function bundledWorker(dir: string): Promise<string> {
  const outfile = path.join(dir, 'mirror-worker.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'mirror-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outfile,
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __mcpgRequire } from 'node:module'; const require = __mcpgRequire(import.meta.url);",
    },
  });
  return outfile;
}

interface WorkerReport {
  seconds: number;
  cpuSeconds: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  peakArrayBuffersMiB: number;
}

const fixed = (value: number) => Number(value.toFixed(1));

function copyRow(tool: string, samples: Sample[], extra: Row = {}): Row {
  const seconds = median(samples.map((s) => s.seconds));
  return {
    tool,
    'MiB copied': mib,
    layers: layerCount,
    'median s': Number(seconds.toFixed(2)),
    'MiB/s': fixed(mib / seconds),
    'CPU s (median)': Number(median(samples.map((s) => s.cpuSeconds)).toFixed(2)),
    'peak RSS MiB (median)': fixed(median(samples.map((s) => s.peakMiB))),
    'peak RSS MiB (max)': fixed(Math.max(...samples.map((s) => s.peakMiB))),
    ...extra,
  };
}

async function copyRows(source: LocalRegistry, target: LocalRegistry, digest: string): Promise<Row[]> {
  const ours: WorkerReport[] = [];
  const crane: Sample[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-bench-'));
  const worker = await bundledWorker(dir);
  for (let round = 1; round <= rounds; round += 1) {
    // With the process settings the function's image runs with.
    const mine = await timed(
      process.execPath,
      [worker, source.host, target.host, 'bench/large', digest, `ours/r${round}`],
      { ...FUNCTION_PROCESS_ENV },
    );
    const reported = JSON.parse(mine.stdout) as WorkerReport;
    ours.push({ ...reported, peakRssMiB: Math.max(mine.peakMiB, reported.peakRssMiB) });
    crane.push(
      await timed(toolPath('crane'), [
        'copy',
        '--insecure',
        `${source.host}/bench/large@${digest}`,
        `${target.host}/crane/r${round}:1`,
      ]),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const mine = ours.map((r) => ({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakMiB: r.peakRssMiB }));
  return [
    copyRow('mcpg OCI client (bundled; streamed, digest-checked)', mine, {
      'RSS before copy MiB': fixed(median(ours.map((r) => r.rssBeforeMiB))),
      'peak V8 heap MiB': fixed(median(ours.map((r) => r.peakHeapMiB))),
      'peak ArrayBuffers MiB': fixed(median(ours.map((r) => r.peakArrayBuffersMiB))),
    }),
    copyRow('crane copy', crane),
  ];
}

/** Verifications of one plugin, repeated in a warm process: what one more MCPGPlugin costs. */
async function perSecond(tool: string, once: () => Promise<void>): Promise<Row> {
  await once();
  const started = process.hrtime.bigint();
  for (let i = 0; i < verifications; i += 1) await once();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    tool,
    verifications,
    'per second': fixed(verifications / seconds),
    'ms each': Number(((seconds / verifications) * 1000).toFixed(2)),
  };
}

async function keyRow(registry: LocalRegistry): Promise<Row> {
  const signer = ed25519Pair();
  const pkg = pluginPackage({ id: 'dev.mcpg.bench', signer, binary: randomBytes(512 * 1024) });
  const digest = await pushPlugin(`${registry.host}/bench/plugin:1`, pkg);
  const keys = await cosignKeyPair();
  try {
    await cosignSignClassic(`${registry.host}/bench/plugin@${digest}`, keys);
    const client = new RegistryClient({
      registry: registry.host,
      plainHttp: true,
      network: loopbackNetwork(registry.host),
    });
    const edKey = ed25519PublicKey(Buffer.from(signer.publicBase64));
    const cosignKey = pemPublicKey(Buffer.from(keys.publicPem));
    return await perSecond(
      'plugin verification, key-based (512 KiB binary: pull, Ed25519, cosign classic + referrers lookup)',
      async () => {
        const { artifact } = await pullPlugin(
          client,
          { repository: 'bench/plugin', ref: digest },
          { packageBytes: 8 << 20 },
        );
        if (!verifyDetached(artifact.binary, artifact.signature, edKey).valid)
          throw new Error('Ed25519 failed');
        const cosign = await verifyCosignKey(client, { repository: 'bench/plugin', digest }, cosignKey);
        if (!cosign.verified) throw new Error('cosign failed');
      },
    );
  } finally {
    keys.remove();
  }
}

/** Keyless, as the plugin function checks it: the trusted root parsed once at start, the rest per plugin. */
async function keylessRow(registry: LocalRegistry): Promise<Row> {
  const authority = await keylessAuthority();
  try {
    const subject = 'https://github.com/mcpg-dev/plugins/.github/workflows/release.yml@refs/tags/v1.0.0';
    const issuer = 'https://token.actions.githubusercontent.com';
    const repository = 'bench/keyless';
    const pkg = pluginPackage({ id: 'dev.mcpg.bench', binary: randomBytes(512 * 1024) });
    const digest = await pushPlugin(`${registry.host}/${repository}:1`, pkg);
    const leaf = await leafCertificate(authority, { subject, issuer });
    const image = { host: registry.host, repository, digest };
    await pushKeylessSignature(image, [keylessSignature(image, leaf, authority)]);
    const client = new RegistryClient({
      registry: registry.host,
      plainHttp: true,
      network: loopbackNetwork(registry.host),
    });
    const identity = { certificateIdentityRegexp: '^https://github\\.com/mcpg-dev/.*$', oidcIssuer: issuer };
    const root = parseTrustedRoot(authority.trustedRootJson);
    return await perSecond(
      'plugin verification, keyless (512 KiB binary: pull, cosign keyless: chain, identity, log promise)',
      async () => {
        const { artifact } = await pullPlugin(client, { repository, ref: digest }, { packageBytes: 8 << 20 });
        const outcome = await verifyCosignKeyless(
          client,
          { repository, digest: artifact.manifestDigest },
          identity,
          root,
        );
        if (!outcome.verified) throw new Error(`keyless failed: ${outcome.message}`);
      },
    );
  } finally {
    authority.remove();
  }
}

const [source, target] = await Promise.all([
  startRegistry({ name: 'bench-source' }),
  startRegistry({ name: 'bench-target' }),
]);
try {
  const digest = await pushLargeImage(source);
  const rows = await copyRows(source, target, digest);
  rows.push(await keyRow(source), await keylessRow(source));
  await report('mirror', rows, { mib, rounds, verifications, layers: layerCount });
} finally {
  await Promise.all([source.stop(), target.stop()]);
}
