/**
 * OCI images written byte for byte by us: deterministic layers (sorted, epoch times, root-owned), an image config
 * and manifest with no timestamps of the build, laid out as an OCI image layout and pushed with `crane push`.
 * The same inputs give the same manifest digest, which is known before anything is pushed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: { architecture: string; os: string };
}

/** One file placed in a layer: copied from `source` (a file or a folder) or written from `content`. */
export interface LayerEntry {
  path: string;
  source?: string;
  content?: string | Buffer;
  /** Defaults: 0o755 for copied files, 0o644 for written ones. */
  mode?: number;
}

export interface BuiltLayer {
  layer: Blob;
  diffId: string;
}

export interface ImageSpec {
  /** Files to put in a layer, or a layer already built (shared by several images). */
  layers: (LayerEntry[] | BuiltLayer)[];
  entrypoint: string[];
  cmd?: string[];
  env?: string[];
  workdir?: string;
  /** uid:gid; images run as a non-root user. */
  user: string;
  annotations: Record<string, string>;
}

export interface Blob {
  descriptor: Descriptor;
  bytes: Buffer;
}

export const sha256 = (bytes: Buffer | string) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export function blob(mediaType: string, bytes: Buffer, extra: Partial<Descriptor> = {}): Blob {
  return { descriptor: { mediaType, digest: sha256(bytes), size: bytes.length, ...extra }, bytes };
}

/** A gzip-compressed tar of the entries, identical for identical inputs. */
export async function buildLayer(entries: readonly LayerEntry[]): Promise<BuiltLayer> {
  const stage = mkdtempSync(path.join(tmpdir(), 'mcpg-layer-'));
  try {
    for (const entry of entries) {
      const target = path.join(stage, entry.path);
      mkdirSync(path.dirname(target), { recursive: true });
      if (entry.source) cpSync(entry.source, target, { recursive: true, dereference: true });
      else writeFileSync(target, entry.content ?? '');
      if (entry.mode !== undefined || entry.content !== undefined) chmodSync(target, entry.mode ?? 0o644);
    }
    const { stdout } = await run(
      'tar',
      [
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        // Read-only for everyone but root: the image's user cannot change its own programs.
        '--mode=go-w',
        '--format=posix',
        '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
        '-cf',
        '-',
        '-C',
        stage,
        ...entries.map((entry) => entry.path.replace(/^\/+/, '')).sort(),
      ],
      { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
    );
    // gzip's header carries no time or name here, so the compressed bytes depend on the tar alone.
    return { layer: blob(MEDIA_TYPES.layer, gzipSync(stdout, { level: 6 })), diffId: sha256(stdout) };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** An OCI image manifest holding `fields` (config, layers, and for an artifact its type and subject). */
export function manifestBlob(fields: Record<string, unknown>, extra: Partial<Descriptor> = {}): Blob {
  const manifest = { schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, ...fields };
  return blob(MEDIA_TYPES.manifest, Buffer.from(JSON.stringify(manifest)), extra);
}

export interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
}

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const built: BuiltLayer[] = [];
  for (const layer of spec.layers) built.push(Array.isArray(layer) ? await buildLayer(layer) : layer);
  const config = blob(
    MEDIA_TYPES.config,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          User: spec.user,
          Entrypoint: spec.entrypoint,
          ...(spec.cmd ? { Cmd: spec.cmd } : {}),
          Env: spec.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
          ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
          Labels: spec.annotations,
        },
        rootfs: { type: 'layers', diff_ids: built.map((b) => b.diffId) },
      }),
    ),
  );
  const layers = built.map((b) => b.layer);
  const manifest = manifestBlob(
    { config: config.descriptor, layers: layers.map((l) => l.descriptor), annotations: spec.annotations },
    { platform: { architecture: 'amd64', os: 'linux' } },
  );
  return { manifest, config, layers };
}

/** Pushes a manifest and its blobs as an OCI image layout with `crane push`; returns the manifest digest. */
/** How to reach a registry: the crane binary, and whether it speaks plain HTTP (a loopback registry). */
export interface PushTarget {
  crane: string;
  insecure: boolean;
}

export async function pushBlobs(
  target: PushTarget,
  reference: string,
  manifest: Blob,
  blobs: readonly Blob[],
): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-layout-'));
  try {
    mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    for (const b of [...blobs, manifest]) {
      writeFileSync(path.join(dir, 'blobs', 'sha256', b.descriptor.digest.slice('sha256:'.length)), b.bytes);
    }
    writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [manifest.descriptor] }),
    );
    await run(target.crane, [...(target.insecure ? ['--insecure'] : []), 'push', dir, reference]);
    return manifest.descriptor.digest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function pushImage(target: PushTarget, reference: string, image: BuiltImage) {
  return pushBlobs(target, reference, image.manifest, [image.config, ...image.layers]);
}
