/**
 * A registry that attacks its client, for the security suite: a small HTTP server on loopback whose behaviour
 * is chosen by the first segment of the repository (`/v2/<mode>/…`). It redirects to a canary, names token
 * services at the canary, drips bytes, lists thousands of referrers or layers, serves oversized manifests, asks
 * for Basic credentials and sends blobs to a storage host that asks for them again. Artifacts the test puts are
 * served honestly in every mode that serves anything, so the attack is the only thing wrong with them.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HostileMode =
  | 'honest'
  | 'redirect-manifest'
  | 'redirect-blob'
  | 'realm-http'
  | 'realm-https'
  | 'realm-foreign'
  | 'basic'
  | 'storage-401'
  | 'drip'
  | 'referrers'
  | 'oversized';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface HostileRegistry {
  host: string;
  /** Every request, in order. */
  seen: SeenRequest[];
  /** Serves `manifest` (and `blobs`) in `repository`; returns the manifest's digest. */
  put: (repository: string, manifest: unknown, blobs?: Buffer[]) => string;
  close: () => Promise<void>;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const BASIC_REALM = 'hostile';
/** How many referrers the `referrers` mode lists. */
export const REFERRER_FLOOD = 5000;
const DRIP_INTERVAL_MS = 200;

export const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

/** Bytes one at a time until the client gives up. */
function drip(outgoing: ServerResponse): void {
  outgoing.writeHead(200, { 'content-type': OCI_MANIFEST });
  outgoing.write('{');
  const timer = setInterval(() => {
    outgoing.write(' ');
  }, DRIP_INTERVAL_MS);
  outgoing.on('close', () => {
    clearInterval(timer);
  });
}

function referrerFlood(digest: string): Buffer {
  const manifests = Array.from({ length: REFERRER_FLOOD }, (_, i) => ({
    mediaType: OCI_MANIFEST,
    artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    size: 100,
  }));
  return Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, subject: { digest }, manifests }),
  );
}

interface Stored {
  manifests: Map<string, Buffer>;
  blobs: Map<string, Buffer>;
}

type Route = {
  kind: 'manifests' | 'blobs' | 'referrers';
  repository: string;
  ref: string;
  mode: HostileMode;
};

function route(path: string): Route | undefined {
  const match = /^\/v2\/((\S+?)\/\S+)\/(manifests|blobs|referrers)\/([^/?]+)/.exec(path);
  if (!match) return undefined;
  return {
    repository: match[1] ?? '',
    mode: (match[2] ?? 'honest') as HostileMode,
    kind: match[3] as Route['kind'],
    ref: match[4] ?? '',
  };
}

type Attack = (at: Route, incoming: IncomingMessage, outgoing: ServerResponse) => boolean;

const challenge = (outgoing: ServerResponse, header: string): boolean => {
  outgoing.writeHead(401, { 'www-authenticate': header }).end();
  return true;
};

const redirect = (outgoing: ServerResponse, location: string): boolean => {
  outgoing.writeHead(307, { location }).end();
  return true;
};

/** What each mode does instead of serving honestly; returning false serves the request honestly after all. */
function attacks(targets: { canary: string; storage: string }): Partial<Record<HostileMode, Attack>> {
  const { canary, storage } = targets;
  const canaryPort = canary.split(':').pop() ?? '';
  return {
    'redirect-manifest': (_, incoming, outgoing) =>
      redirect(outgoing, `http://${canary}${incoming.url ?? ''}`),
    'realm-http': (_, __, outgoing) =>
      challenge(outgoing, `Bearer realm="http://${canary}/token",service="x"`),
    'realm-https': (_, __, outgoing) =>
      challenge(outgoing, `Bearer realm="https://127.0.0.1:${canaryPort}/token"`),
    'realm-foreign': (_, __, outgoing) =>
      challenge(outgoing, 'Bearer realm="https://tokens.attacker.example/token"'),
    basic: (_, __, outgoing) => challenge(outgoing, `Basic realm="${BASIC_REALM}"`),
    drip: (at, _, outgoing) => {
      if (at.kind !== 'manifests') return false;
      drip(outgoing);
      return true;
    },
    oversized: (at, _, outgoing) => {
      if (at.kind !== 'manifests') return false;
      outgoing.writeHead(200, { 'content-type': OCI_MANIFEST });
      for (let i = 0; i < 64; i += 1) outgoing.write(' '.repeat(128 * 1024));
      outgoing.end('{}');
      return true;
    },
    referrers: (at, _, outgoing) => {
      if (at.kind !== 'referrers') return false;
      outgoing.writeHead(200, { 'content-type': OCI_INDEX }).end(referrerFlood(at.ref));
      return true;
    },
    'redirect-blob': (at, incoming, outgoing) =>
      at.kind === 'blobs' && redirect(outgoing, `http://${canary}${incoming.url ?? ''}`),
    // Credentials first, as a private registry asks; then blobs go to storage that asks again.
    'storage-401': (at, incoming, outgoing) => {
      if (incoming.headers.authorization === undefined)
        return challenge(outgoing, `Basic realm="${BASIC_REALM}"`);
      return at.kind === 'blobs' && redirect(outgoing, `http://${storage}${incoming.url ?? ''}`);
    },
  };
}

/**
 * `canary` is where attacks point (`host:port`, never allowed); `storage` is an allowed host that blobs of the
 * `storage-401` mode are redirected to.
 */
export async function startHostileRegistry(canary: string, storage?: string): Promise<HostileRegistry> {
  const seen: SeenRequest[] = [];
  const stored: Stored = { manifests: new Map(), blobs: new Map() };

  function honest(at: Route, outgoing: ServerResponse): void {
    if (at.kind === 'referrers') {
      outgoing.writeHead(404).end();
      return;
    }
    const key = at.kind === 'manifests' ? `${at.repository}@${at.ref}` : at.ref;
    const body = at.kind === 'manifests' ? stored.manifests.get(key) : stored.blobs.get(key);
    if (!body) {
      outgoing.writeHead(404).end();
      return;
    }
    const type = at.kind === 'manifests' ? OCI_MANIFEST : 'application/octet-stream';
    outgoing.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'docker-content-digest': sha256(body),
    });
    outgoing.end(body);
  }

  const server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? '/';
    seen.push({ method: incoming.method ?? 'GET', path, authorization: incoming.headers.authorization });
    incoming.resume();
    if (path === '/v2/' || path === '/v2') {
      outgoing.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const at = route(path);
    if (!at) {
      outgoing.writeHead(404).end();
      return;
    }
    const attack = attacks({ canary, storage: storage ?? canary })[at.mode];
    if (!attack?.(at, incoming, outgoing)) honest(at, outgoing);
  });
  const host = await listen(server);
  return {
    host,
    seen,
    put(repository, manifest, blobs = []) {
      const bytes = Buffer.from(JSON.stringify(manifest));
      const digest = sha256(bytes);
      stored.manifests.set(`${repository}@${digest}`, bytes);
      for (const blob of blobs) stored.blobs.set(sha256(blob), blob);
      return digest;
    },
    close: () => close(server),
  };
}

/** A listener that only counts: any connection to it is an attack that got through. */
export interface Canary {
  host: string;
  connections: () => number;
  close: () => Promise<void>;
}

export async function startCanary(): Promise<Canary> {
  let connections = 0;
  const server = createServer((_, outgoing) => {
    outgoing.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"canary"}');
  });
  server.on('connection', () => {
    connections += 1;
  });
  const host = await listen(server);
  return { host, connections: () => connections, close: () => close(server) };
}

/** A storage host that asks again for credentials: whoever answers it with the registry's leaks them. */
export async function startChallengingStorage(): Promise<{
  host: string;
  seen: SeenRequest[];
  close: () => Promise<void>;
}> {
  const seen: SeenRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    seen.push({
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      authorization: incoming.headers.authorization,
    });
    incoming.resume();
    outgoing.writeHead(401, { 'www-authenticate': `Basic realm="storage"` }).end();
  });
  const host = await listen(server);
  return { host, seen, close: () => close(server) };
}
