/**
 * Uploads: blobs that skip what exists, mount across repositories and go streamed or in chunks, and manifests.
 * An upload is committed only by the final PUT, which the registry refuses unless the bytes match the digest,
 * so a failed or corrupt source leaves nothing behind.
 */
import type { Readable } from 'node:stream';
import { sha256Digest } from './digest.ts';
import { RegistryError } from './errors.ts';
import { statusError } from './replies.ts';
import type { RegistrySession } from './session.ts';
import type { Reply } from './transport.ts';
import type { Descriptor, Manifest, PushOutcome } from './types.ts';

type Blob = Pick<Descriptor, 'digest' | 'size'>;

function location(session: RegistrySession, response: Reply): string {
  const header = response.headers.get('location');
  if (!header) throw new RegistryError('BadResponse', 'the registry started an upload but sent no Location');
  return session.url(header).toString();
}

export async function hasBlob(
  session: RegistrySession,
  repository: string,
  digest: string,
): Promise<boolean> {
  const response = await session.send({
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
 * `mountFrom`, else an upload from `open()` (streamed, or in chunks of `chunkSize`).
 */
export async function pushBlob(
  session: RegistrySession,
  target: { repository: string; blob: Blob; chunkSize: number | undefined },
  open: () => Promise<Readable>,
  mountFrom?: string,
): Promise<PushOutcome> {
  const { repository, blob } = target;
  if (await hasBlob(session, repository, blob.digest)) return 'exists';
  const mount = mountFrom ? `?mount=${blob.digest}&from=${encodeURIComponent(mountFrom)}` : '';
  const started = await session.send({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/${mount}`,
    repository,
    actions: 'pull,push',
    extraScopes: mountFrom ? [`repository:${mountFrom}:pull`] : [],
  });
  await started.body?.cancel();
  if (started.status === 201) return 'mounted';
  if (started.status !== 202) throw statusError(started, `starting an upload to ${repository}`);
  return upload(session, target, { location: location(session, started), open });
}

/** Sends the bytes to an upload session and commits it with the digest; a failure cancels the session. */
async function upload(
  session: RegistrySession,
  target: { repository: string; blob: Blob; chunkSize: number | undefined },
  started: { location: string; open: () => Promise<Readable> },
): Promise<PushOutcome> {
  const { repository, blob, chunkSize } = target;
  let at = started.location;
  try {
    const source = await started.open();
    at =
      chunkSize === undefined
        ? await uploadStream(session, { repository, location: at }, source, blob.size)
        : await uploadChunks(session, { repository, location: at }, source, chunkSize);
    const url = new URL(at);
    url.searchParams.set('digest', blob.digest);
    const done = await session.send({
      method: 'PUT',
      path: url.toString(),
      repository,
      actions: 'pull,push',
    });
    await done.body?.cancel();
    if (done.status !== 201) throw statusError(done, `completing the upload of ${blob.digest}`);
    return 'uploaded';
  } catch (error) {
    await session
      .send({ method: 'DELETE', path: at, repository, actions: 'pull,push' })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
    throw error;
  }
}

/**
 * One PATCH whose body is the source stream: bytes flow from source to target without being held. The length
 * is known from the descriptor, so the body goes without chunked framing and the transport refuses to send more
 * or fewer bytes than that.
 */
async function uploadStream(
  session: RegistrySession,
  at: { repository: string; location: string },
  source: Readable,
  size: number,
): Promise<string> {
  const response = await session.send({
    method: 'PATCH',
    path: at.location,
    repository: at.repository,
    actions: 'pull,push',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: source,
  });
  await response.body?.cancel();
  if (response.status !== 202) throw statusError(response, `uploading to ${at.repository}`);
  return location(session, response);
}

async function uploadChunks(
  session: RegistrySession,
  start: { repository: string; location: string },
  source: Readable,
  size: number,
): Promise<string> {
  let at = start.location;
  let offset = 0;
  for await (const chunk of chunked(source, size)) {
    const response = await session.send({
      method: 'PATCH',
      path: at,
      repository: start.repository,
      actions: 'pull,push',
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + chunk.length - 1}`,
      },
      body: chunk,
    });
    await response.body?.cancel();
    if (response.status !== 202)
      throw statusError(response, `uploading to ${start.repository} at byte ${offset}`);
    offset += chunk.length;
    at = location(session, response);
  }
  return at;
}

export async function putManifest(
  session: RegistrySession,
  target: { repository: string; ref: string },
  manifest: Pick<Manifest, 'bytes' | 'mediaType'>,
): Promise<string> {
  const { repository, ref } = target;
  const response = await session.send({
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
