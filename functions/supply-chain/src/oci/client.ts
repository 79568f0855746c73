/**
 * A client for the OCI distribution API on fetch: manifests and blobs read with their digests checked, blobs
 * streamed (memory stays flat), uploads that skip existing blobs, mount across repositories and go in chunks,
 * and the referrers API with the tag-schema fallback. Auth: anonymous, Basic, or Bearer tokens obtained with
 * the credentials, negotiated from the registry's 401 challenge.
 */
import { Readable } from 'node:stream';
import { basicHeader, parseChallenge, tokenUrl, type Challenge, type Credentials } from './auth.ts';
import { assertDigest, DigestCheck, sha256Digest } from './digest.ts';
import { RegistryError } from './errors.ts';
import { isDigest } from './reference.ts';
import { httpRequest, type Reply } from './transport.ts';

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

const MANIFEST_ACCEPT = [
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.dockerList,
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string | undefined;
  annotations?: Record<string, string> | undefined;
}

export interface ManifestDocument {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  document: ManifestDocument;
}

export interface RegistryClientOptions {
  registry: string;
  /** Plain HTTP (loopback and mirrors marked insecure). */
  plainHttp: boolean;
  /** Where to connect instead of the registry's own name (`http://127.0.0.1:5000`), as curl's --connect-to. */
  endpoint?: string | undefined;
  credentials?: Credentials | undefined;
  /** Manifests larger than this are refused (default 4 MiB, as registries commonly limit them). */
  manifestLimit?: number;
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

export type PushOutcome = 'exists' | 'mounted' | 'uploaded';

interface Call {
  method: string;
  path: string;
  repository: string;
  actions: 'pull' | 'pull,push';
  headers?: Record<string, string>;
  body?: Buffer | Readable | undefined;
  /** Scopes beyond the call's own repository (a mount's source). */
  extraScopes?: string[];
}

const DEFAULT_MANIFEST_LIMIT = 4 * 1024 * 1024;

async function readLimited(response: Reply, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new RegistryError('TooLarge', `${what} is ${declared} bytes, over the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += (chunk as Uint8Array).length;
    if (total > limit) throw new RegistryError('TooLarge', `${what} is over the ${limit}-byte limit`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

function statusError(response: Reply, what: string): RegistryError {
  if (response.status === 404) return new RegistryError('NotFound', `${what} was not found (HTTP 404)`);
  if (response.status === 401 || response.status === 403)
    return new RegistryError(
      'Unauthorized',
      `${what}: access denied (HTTP ${response.status}); check the pull secret`,
    );
  return new RegistryError('BadResponse', `${what}: the registry answered HTTP ${response.status}`);
}

export class RegistryClient {
  readonly registry: string;
  private readonly base: string;
  private readonly options: Required<
    Omit<RegistryClientOptions, 'credentials' | 'endpoint' | 'chunkSize'>
  > & {
    credentials?: Credentials | undefined;
    chunkSize?: number | undefined;
  };
  /** Authorization headers by scope set, reused until the registry refuses one. */
  private readonly authorizations = new Map<string, string>();

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.base = options.endpoint ?? `${options.plainHttp ? 'http' : 'https'}://${options.registry}`;
    this.options = {
      manifestLimit: DEFAULT_MANIFEST_LIMIT,
      timeoutMs: 30_000,
      ...options,
    };
  }

  /** GET /v2/: a registry answers 200, or 401 with a challenge; anything else is not a working registry. */
  async ping(): Promise<{ reachable: boolean; detail: string }> {
    try {
      const response = await httpRequest(`${this.base}/v2/`, {
        method: 'GET',
        timeoutMs: this.options.timeoutMs,
      });
      await response.body?.cancel();
      const isRegistry =
        response.status === 200 || (response.status === 401 && response.headers.has('www-authenticate'));
      return { reachable: isRegistry, detail: `GET ${this.base}/v2/ answered HTTP ${response.status}` };
    } catch (error) {
      return { reachable: false, detail: `GET ${this.base}/v2/ failed: ${describeCause(error)}` };
    }
  }

  /** A manifest by tag or digest, its bytes checked against the digest asked for (or the one the registry names). */
  async manifest(repository: string, ref: string): Promise<Manifest> {
    const what = `manifest ${this.registry}/${repository}:${ref}`;
    const response = await this.send({
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
    const bytes = await readLimited(response, this.options.manifestLimit, what);
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
    const mediaType = document.mediaType ?? response.headers.get('content-type')?.split(';')[0] ?? '';
    return { digest, mediaType, bytes, document };
  }

  /** The manifest's descriptor from a HEAD, or undefined when it does not exist. */
  async headManifest(repository: string, ref: string): Promise<Descriptor | undefined> {
    const response = await this.send({
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
    const response = await this.send({
      method: 'GET',
      path: `/v2/${repository}/blobs/${descriptor.digest}`,
      repository,
      actions: 'pull',
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw statusError(response, what);
    }
    const source = response.body;
    const check = new DigestCheck({ digest: descriptor.digest, size: descriptor.size, limit, what });
    // A transfer that breaks or stalls (the idle timeout) fails the stream with a registry error.
    source.on('error', (error) => {
      check.destroy(
        error instanceof RegistryError
          ? error
          : new RegistryError('Unreachable', `${what}: the download failed (${describeCause(error)})`, {
              cause: error,
            }),
      );
    });
    return source.pipe(check);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.send({
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      actions: 'pull',
    });
    if (response.status === 404) return false;
    if (!response.ok) throw statusError(response, `blob ${repository}@${digest}`);
    return true;
  }

  /**
   * Puts a blob unless it is there already: a cross-repository mount when the registry holds it under
   * `mountFrom`, else an upload from `open()` (streamed, or in chunks when `chunkSize` is set). The upload is committed only by the final PUT, which the
   * registry refuses unless the bytes match the digest, so a failed or corrupt source leaves nothing behind.
   */
  async pushBlob(
    repository: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    open: () => Promise<Readable>,
    mountFrom?: string,
  ): Promise<PushOutcome> {
    if (await this.hasBlob(repository, descriptor.digest)) return 'exists';
    const mount = mountFrom ? `?mount=${descriptor.digest}&from=${encodeURIComponent(mountFrom)}` : '';
    const started = await this.send({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/${mount}`,
      repository,
      actions: 'pull,push',
      extraScopes: mountFrom ? [`repository:${mountFrom}:pull`] : [],
    });
    await started.body?.cancel();
    if (started.status === 201) return 'mounted';
    if (started.status !== 202) throw statusError(started, `starting an upload to ${repository}`);
    return this.upload(repository, descriptor, { location: this.location(started), open });
  }

  /** Sends the bytes to an upload session and commits it with the digest; a failure cancels the session. */
  private async upload(
    repository: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    session: { location: string; open: () => Promise<Readable> },
  ): Promise<PushOutcome> {
    let location = session.location;
    try {
      const source = await session.open();
      const chunkSize = this.options.chunkSize;
      location =
        chunkSize === undefined
          ? await this.uploadStream(repository, location, source, descriptor.size)
          : await this.uploadChunks(repository, location, source, chunkSize);
      const url = new URL(location);
      url.searchParams.set('digest', descriptor.digest);
      const done = await this.send({ method: 'PUT', path: url.toString(), repository, actions: 'pull,push' });
      await done.body?.cancel();
      if (done.status !== 201) throw statusError(done, `completing the upload of ${descriptor.digest}`);
      return 'uploaded';
    } catch (error) {
      await this.send({ method: 'DELETE', path: location, repository, actions: 'pull,push' })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
      throw error;
    }
  }

  /**
   * One PATCH whose body is the source stream: bytes flow from source to target without being held. The length
   * is known from the descriptor, so the body goes without chunked framing (less work on both ends) and the
   * transport refuses to send more or fewer bytes than that.
   */
  private async uploadStream(
    repository: string,
    location: string,
    source: Readable,
    size: number,
  ): Promise<string> {
    const response = await this.send({
      method: 'PATCH',
      path: location,
      repository,
      actions: 'pull,push',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: source,
    });
    await response.body?.cancel();
    if (response.status !== 202) throw statusError(response, `uploading to ${repository}`);
    return this.location(response);
  }

  private async uploadChunks(
    repository: string,
    start: string,
    source: Readable,
    size: number,
  ): Promise<string> {
    let location = start;
    let offset = 0;
    for await (const chunk of chunked(source, size)) {
      const response = await this.send({
        method: 'PATCH',
        path: location,
        repository,
        actions: 'pull,push',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        },
        body: chunk,
      });
      await response.body?.cancel();
      if (response.status !== 202)
        throw statusError(response, `uploading to ${repository} at byte ${offset}`);
      offset += chunk.length;
      location = this.location(response);
    }
    return location;
  }

  async putManifest(
    repository: string,
    ref: string,
    manifest: Pick<Manifest, 'bytes' | 'mediaType'>,
  ): Promise<string> {
    const response = await this.send({
      method: 'PUT',
      path: `/v2/${repository}/manifests/${ref}`,
      repository,
      actions: 'pull,push',
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    });
    await response.body?.cancel();
    if (response.status !== 201) throw statusError(response, `pushing manifest ${repository}:${ref}`);
    return sha256Digest(manifest.bytes);
  }

  /**
   * Manifests that refer to `digest` (their `subject`): the referrers API, or, where the registry lacks it
   * (404), the index kept at the `sha256-<hex>` tag.
   */
  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    const response = await this.send({
      method: 'GET',
      path: `/v2/${repository}/referrers/${digest}`,
      repository,
      actions: 'pull',
      headers: { accept: MediaTypes.ociIndex },
    });
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && type.startsWith(MediaTypes.ociIndex)) {
      const bytes = await readLimited(response, this.options.manifestLimit, `referrers of ${digest}`);
      return (JSON.parse(bytes.toString('utf8')) as ManifestDocument).manifests ?? [];
    }
    await response.body?.cancel();
    if (response.ok || response.status === 404) return this.referrersByTag(repository, digest);
    throw statusError(response, `referrers of ${repository}@${digest}`);
  }

  private async referrersByTag(repository: string, digest: string): Promise<Descriptor[]> {
    try {
      const index = await this.manifest(repository, referrersTag(digest));
      return index.document.manifests ?? [];
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'NotFound') return [];
      throw error;
    }
  }

  private location(response: Reply): string {
    const header = response.headers.get('location');
    if (!header)
      throw new RegistryError('BadResponse', 'the registry started an upload but sent no Location');
    return new URL(header, this.base).toString();
  }

  /** One request; a 401 with a challenge is answered once with Basic or a Bearer token, then repeated. */
  private async send(call: Call): Promise<Reply> {
    const scopes = [`repository:${call.repository}:${call.actions}`, ...(call.extraScopes ?? [])];
    const scopeKey = scopes.join(' ');
    const first = await this.sendOnce(call, this.authorizations.get(scopeKey));
    // A streamed body is spent: it cannot be sent again with new credentials.
    if (first.status !== 401 || call.body instanceof Readable) return first;
    const challenge = parseChallenge(first.headers.get('www-authenticate'));
    await first.body?.cancel();
    if (!challenge) return first;
    const authorization = await this.authorize(challenge, scopes);
    this.authorizations.set(scopeKey, authorization);
    return this.sendOnce(call, authorization);
  }

  private async sendOnce(call: Call, authorization: string | undefined): Promise<Reply> {
    const url = call.path.startsWith('http') ? call.path : `${this.base}${call.path}`;
    const headers: Record<string, string> = { ...call.headers };
    if (authorization) headers.authorization = authorization;
    try {
      return await httpRequest(url, {
        method: call.method,
        headers,
        body: call.body,
        timeoutMs: this.options.timeoutMs,
      });
    } catch (error) {
      // A streamed body that failed its own digest check says so, rather than "unreachable".
      if (error instanceof RegistryError) throw error;
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof RegistryError) throw cause;
      throw new RegistryError('Unreachable', `${call.method} ${url} failed: ${describeCause(error)}`, {
        cause: error,
      });
    }
  }

  private async authorize(challenge: Challenge, scopes: string[]): Promise<string> {
    const credentials = this.options.credentials;
    if (challenge.scheme === 'basic') {
      if (!credentials)
        throw new RegistryError('Unauthorized', `${this.registry} requires credentials; set a pull secret`);
      return basicHeader(credentials);
    }
    const url = tokenUrl(challenge, scopes);
    const response = await httpRequest(url.toString(), {
      method: 'GET',
      headers: credentials ? { authorization: basicHeader(credentials) } : {},
      timeoutMs: this.options.timeoutMs,
    }).catch((error: unknown) => {
      throw new RegistryError('Unreachable', `token service ${url.origin} failed: ${describeCause(error)}`);
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError(
        'Unauthorized',
        `the token service ${url.origin} refused (HTTP ${response.status}); check the pull secret`,
      );
    }
    const body = JSON.parse((await readLimited(response, 1024 * 1024, 'token')).toString('utf8')) as {
      token?: string;
      access_token?: string;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('Unauthorized', `the token service ${url.origin} returned no token`);
    return `Bearer ${token}`;
  }
}

/** The tag under which the referrers of a digest are kept where the registry has no referrers API. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

function describeCause(error: unknown): string {
  const { code, cause } = error as { code?: string; cause?: { message?: string; code?: string } };
  return cause?.code ?? code ?? cause?.message ?? (error as Error).message;
}

/** Regroups a byte stream into chunks of `size` bytes (the last one shorter). */
export async function* chunked(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const piece of source) {
    let rest = piece;
    while (length + rest.length >= size) {
      const take = size - length;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      rest = rest.subarray(take);
      pending = [];
      length = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      length += rest.length;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}
