/**
 * Test artifacts pushed and signed with the real tools: an MCPG plugin package laid out as an OCI image layout
 * and pushed with `crane push`, Ed25519 signatures made with node:crypto, cosign key pairs and signatures made
 * by `cosign` (classic `.sig` format, no transparency log: the test bed is offline).
 */
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from '../cluster/tools.ts';
import { writeZip } from './zip-writer.ts';

const run = promisify(execFile);

export const PLUGIN_TYPES = {
  artifact: 'application/vnd.mcpg.plugin.v1',
  config: 'application/vnd.mcpg.plugin.config.v1+json',
  package: 'application/vnd.mcpg.plugin.package.v1+zip',
};

export interface Ed25519Pair {
  privateKey: KeyObject;
  /** Base64 of the raw 32-byte public key, as users store it. */
  publicBase64: string;
}

export function ed25519Pair(): Ed25519Pair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicBase64: der.subarray(der.length - 32).toString('base64') };
}

export interface PluginPackage {
  id: string;
  binary: Buffer;
  zip: Buffer;
  binarySha256: string;
}

/** A plugin package: plugin.yaml with `id`, a plugin.so, and plugin.sig over `signedBytes` (the binary by default). */
export function pluginPackage(options: {
  id: string;
  signer?: Ed25519Pair;
  binary?: Buffer;
  signedBytes?: Buffer;
  extraFiles?: Record<string, string>;
}): PluginPackage {
  const binary = options.binary ?? Buffer.from(`ELF plugin ${options.id} ${Math.random()}`);
  const files: Record<string, Buffer | string> = {
    'plugin.yaml': `id: ${options.id}\nname: ${options.id}\nclass: tool_gate\n`,
    'plugin.so': binary,
    ...options.extraFiles,
  };
  if (options.signer)
    files['plugin.sig'] = sign(null, options.signedBytes ?? binary, options.signer.privateKey);
  return {
    id: options.id,
    binary,
    zip: writeZip(files, { deflate: true }),
    binarySha256: createHash('sha256').update(binary).digest('hex'),
  };
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Pushes an OCI image layout holding one manifest with `crane push`; returns the manifest digest. */
export async function pushManifest(
  reference: string,
  parts: { manifest: Record<string, unknown>; blobs: Buffer[] },
): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-layout-'));
  try {
    mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    const manifest = Buffer.from(JSON.stringify(parts.manifest));
    for (const blob of [...parts.blobs, manifest])
      writeFileSync(path.join(dir, 'blobs', 'sha256', digestOf(blob).slice(7)), blob);
    writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const entry = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(manifest),
      size: manifest.length,
    };
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
    await run(toolPath('crane'), ['push', '--insecure', dir, reference]);
    return digestOf(manifest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pushes a plugin artifact in MCPG's wire format; `annotations` can pad the manifest (the size-limit test). */
export async function pushPlugin(
  reference: string,
  pkg: PluginPackage,
  options: { annotations?: Record<string, string> } = {},
): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({
      id: pkg.id,
      name: pkg.id,
      class: 'tool_gate',
      runtime: 'native',
      protocol_version: 1,
      has_signature: true,
    }),
  );
  return pushManifest(reference, {
    manifest: {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: PLUGIN_TYPES.artifact,
      config: { mediaType: PLUGIN_TYPES.config, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: PLUGIN_TYPES.package, digest: digestOf(pkg.zip), size: pkg.zip.length }],
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    blobs: [config, pkg.zip],
  });
}

/**
 * Pushes a small container image (one tar layer holding `content` as /srv/version, from scratch) with
 * `crane append`, as an MCP server image would be; returns its manifest digest.
 */
export async function pushImage(reference: string, content: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-image-'));
  try {
    mkdirSync(path.join(dir, 'root', 'srv'), { recursive: true });
    writeFileSync(path.join(dir, 'root', 'srv', 'version'), content);
    const layer = path.join(dir, 'layer.tar');
    await run('tar', ['-cf', layer, '-C', path.join(dir, 'root'), 'srv']);
    await run(toolPath('crane'), ['append', '--insecure', '-f', layer, '-t', reference]);
    const { stdout } = await run(toolPath('crane'), ['digest', '--insecure', reference]);
    return stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What an image runs, as its config says: Entrypoint, Cmd and the platform it was built for. */
export interface ImageProcess {
  entrypoint?: string[];
  cmd?: string[];
  platform?: string;
}

/**
 * Pushes a small image (see pushImage) whose config names `process`, as a stdio MCP server's image does, with
 * `crane mutate`; returns its manifest digest.
 */
export async function pushProcessImage(reference: string, process: ImageProcess): Promise<string> {
  await pushImage(reference, JSON.stringify(process));
  const flags = [
    ...(process.entrypoint ? [`--entrypoint=${process.entrypoint.join(',')}`] : []),
    ...(process.cmd ? [`--cmd=${process.cmd.join(',')}`] : []),
    ...(process.platform ? ['--set-platform', process.platform] : []),
  ];
  await run(toolPath('crane'), ['mutate', '--insecure', reference, ...flags, '-t', reference]);
  const { stdout } = await run(toolPath('crane'), ['digest', '--insecure', reference]);
  return stdout.trim();
}

/** Pushes an index of the given images (their platforms taken from their configs); returns its digest. */
export async function pushIndex(reference: string, images: string[]): Promise<string> {
  const manifests = images.flatMap((image) => ['-m', image]);
  await run(toolPath('crane'), ['index', 'append', '--insecure', ...manifests, '-t', reference]);
  const { stdout } = await run(toolPath('crane'), ['digest', '--insecure', reference]);
  return stdout.trim();
}

export interface CosignKeys {
  dir: string;
  keyPath: string;
  publicPem: string;
  remove: () => void;
}

/** `cosign generate-key-pair` with an empty password, in a fresh folder. */
export async function cosignKeyPair(): Promise<CosignKeys> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-cosign-'));
  await run(toolPath('cosign'), ['generate-key-pair'], {
    cwd: dir,
    env: { ...process.env, COSIGN_PASSWORD: '' },
  });
  return {
    dir,
    keyPath: path.join(dir, 'cosign.key'),
    publicPem: readFileSync(path.join(dir, 'cosign.pub'), 'utf8'),
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Signs `repo@digest` with a cosign key, without a transparency log: in the classic `.sig` tag format, or as a
 * Sigstore bundle attached as a referrer (stored under the `sha256-<hex>` tag on registries without the API).
 */
export async function cosignSign(
  imageByDigest: string,
  keys: CosignKeys,
  format: 'classic' | 'bundle' = 'classic',
): Promise<void> {
  await run(
    toolPath('cosign'),
    [
      'sign',
      '--key',
      keys.keyPath,
      '--tlog-upload=false',
      '--use-signing-config=false',
      `--new-bundle-format=${format === 'bundle'}`,
      '--allow-http-registry',
      '--yes',
      imageByDigest,
    ],
    { cwd: keys.dir, env: { ...process.env, COSIGN_PASSWORD: '' } },
  );
}

export function cosignSignClassic(imageByDigest: string, keys: CosignKeys): Promise<void> {
  return cosignSign(imageByDigest, keys, 'classic');
}

/** One line of provenance.intoto.jsonl: a DSSE envelope around a SLSA v1 statement, signed with `key`. */
export function provenanceLine(
  subjectSha256: string,
  source: { repository: string; ref: string },
  key: KeyObject,
): string {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'plugin.so', digest: { sha256: subjectSha256 } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: { buildType: 'https://mcpg.dev/build/v1', externalParameters: { source } },
    },
  };
  const payload = Buffer.from(JSON.stringify(statement));
  const payloadType = 'application/vnd.in-toto+json';
  const type = Buffer.from(payloadType);
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
  return JSON.stringify({
    payload: payload.toString('base64'),
    payloadType,
    signatures: [{ sig: sign(null, pae, key).toString('base64') }],
  });
}
