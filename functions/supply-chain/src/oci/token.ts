/**
 * Bearer tokens for the distribution spec's auth: where a registry's challenge may send the credentials, and the
 * token request itself. The realm must be the registry's own origin, or HTTPS on the registry's host or on a
 * host the operator allows (Docker Hub's auth.docker.io): a registry cannot make the function send a tenant's
 * credentials, or any request at all, to an address of its choosing.
 */
import { basicHeader, tokenUrl, type Challenge, type Credentials } from './auth.ts';
import { RegistryError } from './errors.ts';
import { connectionFailure } from './failure.ts';
import { namesRegistry } from './network-policy.ts';
import { readJson } from './replies.ts';
import { httpRequest, type HttpInit } from './transport.ts';

const TOKEN_LIMIT = 1024 * 1024;

export interface TokenContext {
  /** The registry as references name it (`host[:port]`). */
  registry: string;
  /** Where its requests go (the registry, or the endpoint the operator set for it). */
  base: URL;
  tokenHosts: readonly string[];
  credentials: Credentials | undefined;
  http: Omit<HttpInit, 'method' | 'headers' | 'body'>;
}

/** Why the function does not ask `realm` for a token, or undefined when it may. */
export function realmProblem(
  realm: URL,
  context: Pick<TokenContext, 'registry' | 'base' | 'tokenHosts'>,
): string | undefined {
  if (realm.origin === context.base.origin) return undefined;
  if (realm.protocol !== 'https:') return 'its token service is not HTTPS';
  const registryHost = context.registry
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  const port = realm.port || '443';
  if (
    realm.hostname.toLowerCase() === registryHost ||
    namesRegistry(context.tokenHosts, realm.hostname, port)
  )
    return undefined;
  return `its token service is on ${realm.hostname}, neither the registry's host nor one the operator allows`;
}

/** The Authorization header for `scopes`, from the token service the challenge names. */
export async function bearerToken(
  challenge: Challenge,
  scopes: string[],
  context: TokenContext,
): Promise<string> {
  let url: URL;
  try {
    url = tokenUrl(challenge, scopes);
  } catch {
    throw new RegistryError(
      'BadResponse',
      `${context.registry} names no valid token service in its challenge`,
    );
  }
  const problem = realmProblem(url, context);
  if (problem) throw new RegistryError('Refused', `${context.registry}: ${problem}; no token was asked for`);
  const what = `the token service of ${context.registry}`;
  const credentials = context.credentials;
  const response = await httpRequest(url.toString(), {
    ...context.http,
    method: 'GET',
    headers: credentials ? { authorization: basicHeader(credentials) } : {},
  }).catch((error: unknown) => {
    throw connectionFailure(error, what, context.http.signal);
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new RegistryError(
      'Unauthorized',
      `${what} refused (HTTP ${response.status}); check the pull secret`,
    );
  }
  const body = await readJson<{ token?: unknown; access_token?: unknown }>(response, TOKEN_LIMIT, 'token');
  const token = body.token ?? body.access_token;
  if (typeof token !== 'string' || token === '')
    throw new RegistryError('Unauthorized', `${what} returned no token`);
  return `Bearer ${token}`;
}
