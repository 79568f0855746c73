/** Reading a registry's answers: bodies within a size limit, and failures in words a tenant can act on. */
import { RegistryError } from './errors.ts';
import { connectionFailure } from './failure.ts';
import type { Reply } from './transport.ts';

export async function readLimited(response: Reply, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new RegistryError('TooLarge', `${what} is ${declared} bytes, over the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body ?? []) {
      total += (chunk as Uint8Array).length;
      if (total > limit) throw new RegistryError('TooLarge', `${what} is over the ${limit}-byte limit`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (error) {
    response.body?.destroy();
    // A body that stalls, breaks or outlasts the pass fails in the same words as a connection.
    throw connectionFailure(error, `reading ${what}`);
  }
  return Buffer.concat(chunks);
}

/** A JSON body within the limit, or a registry error saying it is not JSON. */
export async function readJson<T>(response: Reply, limit: number, what: string): Promise<T> {
  const bytes = await readLimited(response, limit, what);
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new RegistryError('BadResponse', `${what} is not JSON`);
  }
}

export function statusError(response: Reply, what: string): RegistryError {
  // A host the registry redirected to is not one the tenant named: its answers are not repeated.
  if (response.elsewhere)
    return new RegistryError('BadResponse', `${what}: the location the registry redirected to refused it`);
  if (response.status === 404) return new RegistryError('NotFound', `${what} was not found (HTTP 404)`);
  if (response.status === 401 || response.status === 403)
    return new RegistryError(
      'Unauthorized',
      `${what}: access denied (HTTP ${response.status}); check the pull secret`,
    );
  if (response.status >= 300 && response.status < 400)
    return new RegistryError(
      'BadResponse',
      `${what}: the registry answered with a redirect, which is followed only for blobs`,
    );
  return new RegistryError('BadResponse', `${what}: the registry answered HTTP ${response.status}`);
}
