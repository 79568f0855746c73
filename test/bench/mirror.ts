/**
 * Mirror copy of a large artifact between two real local registries (docker-registry on loopback): our OCI
 * client's streaming, digest-checked copy next to `crane copy` in the same run, each in its own process, with
 * throughput and peak RSS; then plugin verifications per second in a warm process (pull by digest, Ed25519 and
 * cosign key-based signature checks against the registry).
 *
 *   node test/bench/mirror.ts [MiB, default 200] [rounds, default 3] [verifications, default 200]
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { pullPlugin } from '../../functions/supply-chain/src/artifact/plugin-artifact.ts';
import { RegistryClient } from '../../functions/supply-chain/src/oci/client.ts';
import { verifyCosignKey } from '../../functions/supply-chain/src/verify/cosign-key.ts';
import { verifyDetached } from '../../functions/supply-chain/src/verify/ed25519.ts';
import { ed25519PublicKey, pemPublicKey } from '../../functions/supply-chain/src/verify/keys.ts';
import { toolPath } from '../cluster/tools.ts';
import {
  cosignKeyPair,
  cosignSignClassic,
  ed25519Pair,
  pluginPackage,
  pushManifest,
  pushPlugin,
} from '../registry/artifacts.ts';
import { startRegistry, type LocalRegistry } from '../registry/registry.ts';
import { median, report, type Row } from './report.ts';

const mib = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const verifications = Number(process.argv[4] ?? 200);

/** Peak RSS of a child process, read from /proc while it runs (VmHWM is the high-water mark). */
function watchPeak(pid: number): () => number {
  let peak = 0;
  const read = async () => {
    try {
      const status = await import('node:fs/promises').then((fs) =>
        fs.readFile(`/proc/${pid}/status`, 'utf8'),
      );
      const kib = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kib / 1024);
    } catch {
      // The process has exited.
    }
  };
  const timer = setInterval(() => void read(), 20);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

async function timed(
  binary: string,
  args: string[],
): Promise<{ seconds: number; peakMiB: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const child = execFile(binary, args, { maxBuffer: 1024 * 1024 });
  const stop = watchPeak(child.pid ?? 0);
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
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakMiB: stop(), stdout };
}

async function pushLargeImage(registry: LocalRegistry): Promise<string> {
  const layer = randomBytes(mib * 1024 * 1024);
  const config = Buffer.from(
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  );
  const { createHash } = await import('node:crypto');
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
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digest(layer), size: layer.length },
      ],
    },
    blobs: [config, layer],
  });
}

/** The copy worker bundled as the function is deployed (one ES module), so its memory is the deployed one. */
async function bundledWorker(dir: string): Promise<string> {
  const outfile = path.join(dir, 'mirror-worker.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'mirror-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outfile,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __mcpgRequire } from 'node:module'; const require = __mcpgRequire(import.meta.url);",
    },
  });
  return outfile;
}

async function copyRows(source: LocalRegistry, target: LocalRegistry, digest: string): Promise<Row[]> {
  const ours: { seconds: number; peakMiB: number }[] = [];
  const crane: { seconds: number; peakMiB: number }[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-bench-'));
  const worker = await bundledWorker(dir);
  for (let round = 1; round <= rounds; round += 1) {
    const mine = await timed(process.execPath, [
      worker,
      source.host,
      target.host,
      'bench/large',
      digest,
      `ours/r${round}`,
    ]);
    const reported = JSON.parse(mine.stdout) as { seconds: number; peakRssMiB: number };
    ours.push({ seconds: reported.seconds, peakMiB: Math.max(mine.peakMiB, reported.peakRssMiB) });
    const theirs = await timed(toolPath('crane'), [
      'copy',
      '--insecure',
      `${source.host}/bench/large@${digest}`,
      `${target.host}/crane/r${round}:1`,
    ]);
    crane.push({ seconds: theirs.seconds, peakMiB: theirs.peakMiB });
  }
  rmSync(dir, { recursive: true, force: true });
  const row = (tool: string, samples: { seconds: number; peakMiB: number }[]): Row => ({
    tool,
    'MiB copied': mib,
    'median s': Number(median(samples.map((s) => s.seconds)).toFixed(2)),
    'MiB/s': Number((mib / median(samples.map((s) => s.seconds))).toFixed(1)),
    'peak RSS MiB (median)': Number(median(samples.map((s) => s.peakMiB)).toFixed(1)),
    'peak RSS MiB (max)': Number(Math.max(...samples.map((s) => s.peakMiB)).toFixed(1)),
  });
  return [row('mcpg OCI client (bundled; streamed, digest-checked)', ours), row('crane copy', crane)];
}

async function verificationRow(registry: LocalRegistry): Promise<Row> {
  const signer = ed25519Pair();
  const pkg = pluginPackage({ id: 'dev.mcpg.bench', signer, binary: randomBytes(512 * 1024) });
  const digest = await pushPlugin(`${registry.host}/bench/plugin:1`, pkg);
  const keys = await cosignKeyPair();
  try {
    await cosignSignClassic(`${registry.host}/bench/plugin@${digest}`, keys);
    const client = new RegistryClient({ registry: registry.host, plainHttp: true });
    const edKey = ed25519PublicKey(Buffer.from(signer.publicBase64));
    const cosignKey = pemPublicKey(Buffer.from(keys.publicPem));
    const once = async () => {
      const { artifact } = await pullPlugin(
        client,
        { repository: 'bench/plugin', ref: digest },
        { packageBytes: 8 << 20 },
      );
      if (!verifyDetached(artifact.binary, artifact.signature, edKey).valid)
        throw new Error('Ed25519 failed');
      const cosign = await verifyCosignKey(client, { repository: 'bench/plugin', digest }, cosignKey);
      if (!cosign.verified) throw new Error('cosign failed');
    };
    await once();
    const started = process.hrtime.bigint();
    for (let i = 0; i < verifications; i += 1) await once();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      tool: 'plugin verification (512 KiB binary: pull, Ed25519, cosign classic + referrers lookup)',
      verifications,
      'per second': Number((verifications / seconds).toFixed(1)),
      'ms each': Number(((seconds / verifications) * 1000).toFixed(2)),
    };
  } finally {
    keys.remove();
  }
}

const [source, target] = await Promise.all([
  startRegistry({ name: 'bench-source' }),
  startRegistry({ name: 'bench-target' }),
]);
try {
  const digest = await pushLargeImage(source);
  const rows = await copyRows(source, target, digest);
  rows.push(await verificationRow(source));
  await report('mirror', rows, { mib, rounds, verifications });
} finally {
  await Promise.all([source.stop(), target.stop()]);
}
