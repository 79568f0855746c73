/**
 * MCPG's plugin artifact: an OCI manifest whose one package layer is a zip holding plugin.yaml, exactly one
 * plugin.so (WebAssembly plugins are refused), and optionally a detached signature and a LICENSE.
 */
import { createHash } from 'node:crypto';
import { parseYaml } from '@mcpg-functions/shared/runtime';
import type { RegistryClient } from '../oci/client.ts';
import type { Manifest } from '../oci/types.ts';
import { readZip, ZipError } from './zip.ts';

export const PluginMediaTypes = {
  artifact: 'application/vnd.mcpg.plugin.v1',
  config: 'application/vnd.mcpg.plugin.config.v1+json',
  package: 'application/vnd.mcpg.plugin.package.v1+zip',
} as const;

const ALLOWED_FILES = new Set([
  'plugin.yaml',
  'plugin.so',
  'plugin.wasm',
  'plugin.sig',
  'plugin.so.sig',
  'LICENSE',
]);

/** Far beyond what binaries compress to; only padding (or a zip bomb) goes further. */
const MAX_COMPRESSION_RATIO = 100;

export interface PackageLimits {
  /** Largest package layer accepted, and largest its files may inflate to (verified in memory). */
  packageBytes: number;
}

export interface PluginArtifact {
  /** Digest of the manifest that was pulled: what signatures are bound to. */
  manifestDigest: string;
  /** The descriptor's `id`. */
  id: string;
  binary: Buffer;
  /** Hex sha256 of the plugin binary: the identity revocation lists name. */
  binarySha256: string;
  /** The detached Ed25519 signature (`plugin.sig`, or `plugin.so.sig` next to the binary). */
  signature?: Buffer | undefined;
}

export class ArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactError';
  }
}

/** The package layer of a plugin manifest; anything else is not a plugin. */
export function packageLayer(manifest: Manifest) {
  const { document } = manifest;
  if (document.manifests !== undefined)
    throw new ArtifactError('the reference names an image index, not a plugin artifact manifest');
  const layers = (document.layers ?? []).filter((layer) => layer.mediaType === PluginMediaTypes.package);
  const [layer] = layers;
  if (!layer || layers.length !== 1)
    throw new ArtifactError(
      `no MCPG plugin layer: expected exactly one layer of type ${PluginMediaTypes.package}, found ${layers.length}`,
    );
  return layer;
}

async function descriptorId(yaml: Buffer): Promise<string> {
  let parsed: unknown;
  try {
    parsed = await parseYaml(yaml.toString('utf8'));
  } catch (error) {
    throw new ArtifactError(`plugin.yaml is not YAML: ${(error as Error).message}`);
  }
  const id = (parsed as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '') throw new ArtifactError('plugin.yaml has no string "id"');
  return id;
}

/** The package's files checked against the layout rules. */
export async function readPackage(
  zip: Buffer,
  limits: PackageLimits,
): Promise<Omit<PluginArtifact, 'manifestDigest'>> {
  let files: Map<string, Buffer>;
  try {
    files = readZip(zip, {
      maxEntries: 16,
      maxTotalBytes: limits.packageBytes,
      maxRatio: MAX_COMPRESSION_RATIO,
      allowedNames: ALLOWED_FILES,
    });
  } catch (error) {
    if (error instanceof ZipError) throw new ArtifactError(error.message);
    throw error;
  }
  if (files.has('plugin.wasm'))
    throw new ArtifactError('WebAssembly plugins (plugin.wasm) are not supported; ship plugin.so');
  const yaml = files.get('plugin.yaml');
  const binary = files.get('plugin.so');
  if (!yaml) throw new ArtifactError('the package has no plugin.yaml');
  if (!binary) throw new ArtifactError('the package has no plugin.so');
  return {
    id: await descriptorId(yaml),
    binary,
    binarySha256: createHash('sha256').update(binary).digest('hex'),
    signature: files.get('plugin.sig') ?? files.get('plugin.so.sig'),
  };
}

/** Pulls and unpacks a plugin artifact; every byte is checked against its digest on the way in. */
export async function pullPlugin(
  client: RegistryClient,
  target: { repository: string; ref: string },
  limits: PackageLimits,
): Promise<{ manifest: Manifest; artifact: PluginArtifact }> {
  const manifest = await client.manifest(target.repository, target.ref);
  const layer = packageLayer(manifest);
  const zip = await client.blob(target.repository, layer, limits.packageBytes);
  return { manifest, artifact: { manifestDigest: manifest.digest, ...(await readPackage(zip, limits)) } };
}
