/**
 * A client for the OCI distribution API: manifests and blobs read with their digests checked, blobs streamed
 * (memory stays flat), uploads (push.ts) and referrers (referrers.ts). Every request goes through the
 * connection policy (connector.ts), ends with the pass's deadline, and reads no more than the limits allow.
 */
import type { Readable } from 'node:stream';
import type { Credentials } from './auth.ts';
import { dispatcherFor } from './dispatchers.ts';
import { assertDigest, DigestCheck, sha256Digest } from './digest.ts';
import { RegistryError } from './errors.ts';
import { connectionFailure } from './failure.ts';
import { OPEN_INTERNET_ONLY, type NetworkPolicy } from './network-policy.ts';
import { hasBlob, pushBlob, putManifest } from './push.ts';
import { isDigest } from './reference.ts';
import { referrers } from './referrers.ts';
import { readLimited, statusError } from './replies.ts';
import { RegistrySession } from './session.ts';
import {
  MANIFEST_ACCEPT,
  type Descriptor,
  type Manifest,
  type ManifestDocument,
  type PushOutcome,
} from './types.ts';

/** How much one client reads for one artifact; beyond these the registry's answer is refused. */
export interface ReadLimits {
  /** Manifest size in bytes (registries commonly refuse over 4 MiB). */
  manifestBytes: number;
  /** Layers of a manifest, or manifests of an index. */
  entries: number;
  referrers: number;
  /** Signatures read for one digest. */
  signatures: number;
  /** Requests for one artifact at once. */
  concurrency: number;
}

const DEFAULT_LIMITS: ReadLimits = {
  manifestBytes: 4 * 1024 * 1024,
  entries: 64,
  referrers: 128,
  signatures: 16,
  concurrency: 4,
};

export interface RegistryClientOptions {
  registry: string;
  /** Plain HTTP: only for registries the operator marks insecure. */
  plainHttp: boolean;
  /** Where to connect instead of the registry's own name (`http://127.0.0.1:5000`), as curl's --connect-to. */
  endpoint?: string | undefined;
  credentials?: Credentials | undefined;
  /** Where the client may connect; by default public addresses only. */
  network?: NetworkPolicy;
  /** The pass's deadline: every request ends with it. */
  signal?: AbortSignal | undefined;
  limits?: Partial<ReadLimits>;
  /**
   * Upload in chunks of this many bytes (PATCH with Content-Range each), for registries or proxies that limit
   * request sizes; the most an upload then holds in memory. Unset: one streamed PATCH, nothing buffered.
   */
  chunkSize?: number | undefined;
  /**
   * How long the registry may stay silent (default 30 s): waiting for a response's headers, or between two chunks
   * of a body, so a large blob may take as long as it keeps flowing but a stalled one fails.
   */
  timeoutMs?: number;
}

function checkEntries(document: ManifestDocument, limit: number, what: string): void {
  const count = Math.max(document.layers?.length ?? 0, document.manifests?.length ?? 0);
  if (count > limit)
    throw new RegistryError('TooLarge', `${what} lists ${count} entries, more than the ${limit} read`);
}

export class RegistryClient {
  readonly registry: string;
  readonly limits: ReadLimits;
  private readonly session: RegistrySession;
  private readonly chunkSize: number | undefined;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.chunkSize = options.chunkSize;
    const network = options.network ?? OPEN_INTERNET_ONLY;
    this.session = new RegistrySession({
      registry: options.registry,
      base: new URL(options.endpoint ?? `${options.plainHttp ? 'http' : 'https'}://${options.registry}`),
      credentials: options.credentials,
      timeoutMs: options.timeoutMs ?? 30_000,
      signal: options.signal,
      dispatcher: dispatcherFor(network),
      tokenHosts: network.tokenHosts,
    });
  }

  /** GET /v2/: a registry answers 200, or 401 with a challenge; anything else is not a working registry. */
  async ping(): Promise<{ reachable: boolean; detail: string }> {
    try {
      const response = await this.session.plain('/v2/', `GET /v2/ at ${this.registry}`);
      await response.body?.cancel();
      const isRegistry =
        response.status === 200 || (response.status === 401 && response.headers.has('www-authenticate'));
      return {
        reachable: isRegistry,
        detail: `${this.registry} answered GET /v2/ with HTTP ${response.status}`,
      };
    } catch (error) {
      return { reachable: false, detail: (error as Error).message };
    }
  }

  /** A manifest by tag or digest, its bytes checked against the digest asked for (or the one the registry names). */
  async manifest(repository: string, ref: string): Promise<Manifest> {
    const what = `manifest ${this.registry}/${repository}:${ref}`;
    const response = await this.session.send({
      method: 'GET',
      path: `/v2/${repository}/manifests/${ref}`,
      repository,
      actions: 'pull',
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(response, what);
    }
    const bytes = await readLimited(response, this.limits.manifestBytes, what);
    const digest = sha256Digest(bytes);
    const named = response.headers.get('docker-content-digest');
    if (isDigest(ref)) assertDigest(bytes, ref, what);
    else if (named && named !== digest)
      throw new RegistryError(
        'DigestMismatch',
        `${what}: the registry says ${named} but the bytes are ${digest}`,
      );
    let document: ManifestDocument;
    try {
      document = JSON.parse(bytes.toString('utf8')) as ManifestDocument;
    } catch {
      throw new RegistryError('BadResponse', `${what} is not JSON`);
    }
    checkEntries(document, this.limits.entries, what);
    const mediaType = document.mediaType ?? response.headers.get('content-type')?.split(';')[0] ?? '';
    return { digest, mediaType, bytes, document };
  }

  /** The manifest's descriptor from a HEAD, or undefined when it does not exist. */
  async headManifest(repository: string, ref: string): Promise<Descriptor | undefined> {
    const response = await this.session.send({
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${ref}`,
      repository,
      actions: 'pull',
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw statusError(response, `manifest ${repository}:${ref}`);
    return {
      mediaType: response.headers.get('content-type')?.split(';')[0] ?? '',
      digest: response.headers.get('docker-content-digest') ?? '',
      size: Number(response.headers.get('content-length') ?? 0),
    };
  }

  /** A small blob read into memory (up to `limit` bytes) with its digest checked. */
  async blob(
    repository: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    limit: number,
  ): Promise<Buffer> {
    const what = `blob ${repository}@${descriptor.digest}`;
    if (descriptor.size > limit)
      throw new RegistryError(
        'TooLarge',
        `${what} is ${descriptor.size} bytes, over the ${limit}-byte limit`,
      );
    const stream = await this.openBlob(repository, descriptor, limit);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** A blob as a stream that fails unless its bytes match the digest and size (checked as they pass). */
  async openBlob(
    repository: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    limit = Number.MAX_SAFE_INTEGER,
  ): Promise<Readable> {
    const what = `blob ${repository}@${descriptor.digest}`;
    const response = await this.session.send({
      method: 'GET',
      path: `/v2/${repository}/blobs/${descriptor.digest}`,
      repository,
      actions: 'pull',
      followRedirects: true,
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw statusError(response, what);
    }
    const source = response.body;
    const check = new DigestCheck({ digest: descriptor.digest, size: descriptor.size, limit, what });
    // A transfer that breaks, stalls (the idle timeout) or outlasts the pass fails the stream with a registry error.
    source.on('error', (error) => {
      check.destroy(connectionFailure(error, `downloading ${what}`, this.session.options.signal));
    });
    return source.pipe(check);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    return hasBlob(this.session, repository, digest);
  }

  /** Puts a blob unless it is there already (a mount from `mountFrom`, else an upload from `open()`). */
  async pushBlob(
    repository: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    open: () => Promise<Readable>,
    mountFrom?: string,
  ): Promise<PushOutcome> {
    return pushBlob(
      this.session,
      { repository, blob: descriptor, chunkSize: this.chunkSize },
      open,
      mountFrom,
    );
  }

  async putManifest(
    repository: string,
    ref: string,
    manifest: Pick<Manifest, 'bytes' | 'mediaType'>,
  ): Promise<string> {
    return putManifest(this.session, { repository, ref }, manifest);
  }

  /** Manifests that refer to `digest` (their `subject`), at most `limits.referrers` of them. */
  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    return referrers(
      {
        session: this.session,
        manifest: (repo, ref) => this.manifest(repo, ref),
        manifestLimit: this.limits.manifestBytes,
        limit: this.limits.referrers,
      },
      repository,
      digest,
    );
  }
}
