/**
 * Builds the images of the catalog, pushes each to a registry, attaches its SBOM as a referrer and signs it with
 * cosign. Returns one line per image: its reference by digest and its size.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { type ImageRecipe, NONROOT, recipes, runtimeLayer } from './catalog.ts';
import { buildImage, pushBlobs, pushImage, type BuiltImage } from './oci.ts';
import { sbomReferrer, spdxDocument } from './sbom.ts';
import { REPO_ROOT } from './sources.ts';

const run = promisify(execFile);

export const SOURCE_URL = 'https://github.com/mcpg-dev/mcpg-functions';

export interface BuildOptions {
  /** `<host>[/<path>]`: images go to `<registry>/<repository>:<version>` (ghcr.io/mcpg-dev for releases). */
  registry: string;
  crane: string;
  cosign: string;
  /** A cosign private key (no password); without one the images are pushed unsigned. */
  signingKey?: string;
  /** Plain HTTP (a loopback registry). */
  insecure: boolean;
  only?: readonly string[];
  onProgress?: (line: string) => void;
}

export interface BuiltRecord {
  name: string;
  reference: string;
  digest: string;
  /** Compressed bytes of config and layers (what a node pulls). */
  compressedBytes: number;
  sbomDigest: string;
  signed: boolean;
}

/** Version, revision and time of the source: the same commit gives the same annotations. */
export async function sourceAnnotations(): Promise<{ version: string; revision: string; created: string }> {
  const chart = parse(readFileSync(path.join(REPO_ROOT, 'chart/Chart.yaml'), 'utf8')) as {
    appVersion: string;
  };
  const git = (args: string[]) => run('git', args, { cwd: REPO_ROOT }).then((r) => r.stdout.trim());
  const [revision, created] = await Promise.all([
    git(['rev-parse', 'HEAD']),
    git(['log', '-1', '--format=%cI']),
  ]);
  return {
    version: chart.appVersion,
    revision,
    created: new Date(created).toISOString().replace('.000Z', 'Z'),
  };
}

export async function buildRecipe(
  recipe: ImageRecipe,
  runtime: ReturnType<typeof runtimeLayer>,
  source: Awaited<ReturnType<typeof sourceAnnotations>>,
): Promise<{ image: BuiltImage; components: Awaited<ReturnType<ImageRecipe['contents']>>['components'] }> {
  const scratch = mkdtempSync(path.join(tmpdir(), `mcpg-image-${recipe.name}-`));
  try {
    const { components, ...spec } = await recipe.contents(runtime, scratch);
    const image = await buildImage({
      ...spec,
      user: NONROOT,
      annotations: {
        'org.opencontainers.image.title': recipe.name,
        'org.opencontainers.image.description': recipe.summary,
        'org.opencontainers.image.source': SOURCE_URL,
        'org.opencontainers.image.revision': source.revision,
        'org.opencontainers.image.version': source.version,
        'org.opencontainers.image.created': source.created,
        'org.opencontainers.image.licenses': 'Apache-2.0',
      },
    });
    return { image, components };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function buildAll(options: BuildOptions): Promise<BuiltRecord[]> {
  const say = options.onProgress ?? (() => undefined);
  const source = await sourceAnnotations();
  const runtime = runtimeLayer();
  const chosen = recipes().filter((r) => !options.only?.length || options.only.includes(r.name));
  const records: BuiltRecord[] = [];
  for (const recipe of chosen) {
    const started = Date.now();
    const { image, components } = await buildRecipe(recipe, runtime, source);
    const repository = `${options.registry}/${recipe.repository}`;
    const digest = await pushImage(options, `${repository}:${source.version}`, image);
    const referrer = sbomReferrer(
      image.manifest.descriptor,
      spdxDocument({ name: recipe.name, digest }, components),
    );
    const sbomDigest = await pushBlobs(
      options,
      `${repository}@${referrer.manifest.descriptor.digest}`,
      referrer.manifest,
      referrer.blobs,
    );
    if (options.signingKey) await sign(options, `${repository}@${digest}`);
    const compressedBytes = [image.config, ...image.layers].reduce((sum, b) => sum + b.descriptor.size, 0);
    records.push({
      name: recipe.name,
      reference: `${repository}@${digest}`,
      digest,
      compressedBytes,
      sbomDigest,
      signed: Boolean(options.signingKey),
    });
    say(
      `${recipe.name}: ${digest} (${(compressedBytes / 1024 / 1024).toFixed(1)} MiB) in ${((Date.now() - started) / 1000).toFixed(0)}s`,
    );
  }
  return records;
}

async function sign(options: BuildOptions, reference: string): Promise<void> {
  await run(
    options.cosign,
    [
      'sign',
      '--key',
      options.signingKey ?? '',
      // Offline: no transparency log, no Sigstore TUF root; the classic `.sig` tag format every registry stores.
      '--tlog-upload=false',
      '--use-signing-config=false',
      '--new-bundle-format=false',
      ...(options.insecure ? ['--allow-http-registry'] : []),
      '--yes',
      reference,
    ],
    { env: { ...process.env, COSIGN_PASSWORD: process.env.COSIGN_PASSWORD ?? '' } },
  );
}

/** The bed's signing key pair, made once with cosign in the cache (no password: it signs test images only). */
export async function bedSigningKey(
  cosign: string,
  cacheDir: string,
): Promise<{ key: string; publicKey: string }> {
  const dir = path.join(cacheDir, 'signing');
  const key = path.join(dir, 'cosign.key');
  if (!existsSync(key)) {
    mkdirSync(dir, { recursive: true });
    await run(cosign, ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: '' } });
  }
  return { key, publicKey: path.join(dir, 'cosign.pub') };
}
