/**
 * Registry credentials and the distribution spec's auth handshake: credentials come from a dockerconfigjson
 * Secret; a 401 names the scheme (Basic, or Bearer with a token realm) and the request is retried once with it.
 */

export interface Credentials {
  username: string;
  password: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string } | undefined>;
}

/** The registry a dockerconfigjson key names (`host[:port]`, or a URL such as `https://host/v1/`), lower-cased. */
function registryOf(key: string): string {
  return key
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

/** Docker Hub goes by several names; a key for one of them is meant for all. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function sameRegistry(key: string, registry: string): boolean {
  const named = registryOf(key);
  const wanted = registry.toLowerCase();
  return named === wanted || (DOCKER_HUB.has(named) && DOCKER_HUB.has(wanted));
}

function entryCredentials(entry: {
  auth?: string;
  username?: string;
  password?: string;
}): Credentials | undefined {
  if (entry.username !== undefined && entry.password !== undefined)
    return { username: entry.username, password: entry.password };
  if (entry.auth === undefined) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new Error('an auths entry has an "auth" value that is not base64 of user:password');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Credentials for `registry` from a dockerconfigjson document: the key must name exactly that host and port
 * (a scheme and path around it are ignored), never a host that merely starts the same. None means anonymous.
 */
export function credentialsFor(dockerConfigJson: string, registry: string): Credentials | undefined {
  let config: DockerConfig;
  try {
    config = JSON.parse(dockerConfigJson) as DockerConfig;
  } catch {
    throw new Error('the pull secret is not valid JSON: store a dockerconfigjson document');
  }
  const auths = config.auths ?? {};
  const match = Object.keys(auths).find((key) => sameRegistry(key, registry));
  const entry = match === undefined ? undefined : auths[match];
  return entry ? entryCredentials(entry) : undefined;
}

export interface Challenge {
  scheme: 'basic' | 'bearer';
  realm?: string | undefined;
  service?: string | undefined;
  scope?: string | undefined;
}

/** Parses a WWW-Authenticate header (`Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const scheme = match[1]?.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
    if (key !== undefined && value !== undefined) params[key.toLowerCase()] = value;
  }
  return { scheme, realm: params.realm, service: params.service, scope: params.scope };
}

export function basicHeader(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** The token endpoint URL for a bearer challenge, asking for `scopes` (the challenge's own scope when none). */
export function tokenUrl(challenge: Challenge, scopes: readonly string[]): URL {
  if (!challenge.realm) throw new Error('the registry asked for a bearer token but named no realm');
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  const wanted = scopes.length > 0 ? scopes : challenge.scope ? [challenge.scope] : [];
  for (const scope of wanted) url.searchParams.append('scope', scope);
  return url;
}
