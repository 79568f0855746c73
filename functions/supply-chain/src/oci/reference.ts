/** OCI references: parsing, printing, digest pinning and the mirror rewrite (MCPGPluginMirror). */

export interface Reference {
  /** host[:port] of the registry. */
  registry: string;
  repository: string;
  tag?: string | undefined;
  /** `sha256:<64 hex>` when the reference pins a digest. */
  digest?: string | undefined;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

function splitDigest(text: string): { named: string; digest: string | undefined } {
  const at = text.indexOf('@');
  if (at === -1) return { named: text, digest: undefined };
  const digest = text.slice(at + 1);
  if (!isDigest(digest))
    throw new Error(`"${text}" has an invalid digest: use @sha256:<64 lower-case hex digits>`);
  return { named: text.slice(0, at), digest };
}

/** A first segment without `.` or `:` (and not localhost) is a Docker Hub path, as Docker reads it. */
function splitRegistry(named: string): { registry: string; path: string } {
  const slash = named.indexOf('/');
  const first = slash === -1 ? '' : named.slice(0, slash);
  const explicitHost = /[.:]/.test(first) || first === 'localhost';
  return explicitHost
    ? { registry: first, path: named.slice(slash + 1) }
    : { registry: 'index.docker.io', path: named };
}

/** Parses `registry/path[:tag][@sha256:hex]`. */
export function parseReference(text: string): Reference {
  const { named, digest } = splitDigest(text.trim());
  const { registry, path } = splitRegistry(named);
  const colon = path.lastIndexOf(':');
  const repository = colon === -1 ? path : path.slice(0, colon);
  const tag = colon === -1 ? undefined : path.slice(colon + 1);
  if (!/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(repository))
    throw new Error(`"${text}" has an invalid repository "${repository}"`);
  if (tag === undefined && digest === undefined)
    throw new Error(`"${text}" names neither a tag nor a digest`);
  return { registry, repository, tag, digest };
}

/** The tag or, when pinned, the digest: what to ask the registry for. */
export function manifestRef(reference: Reference): string {
  const ref = reference.digest ?? reference.tag;
  if (ref === undefined) throw new Error('a reference needs a tag or a digest');
  return ref;
}

export function formatReference(reference: Reference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

/** `registry/repository@digest`: the immutable form gateways fetch. */
export function pinned(reference: Reference, digest: string): string {
  return `${reference.registry}/${reference.repository}@${digest}`;
}

export interface MirrorTarget {
  upstream: { registry: string; namespace: string };
  /** host:port of the mirror. */
  host: string;
  pathPrefix?: string | undefined;
}

/**
 * The reference at the mirror, or undefined when the image is not below `<registry>/<namespace>/`. Repository,
 * tag and digest stay as they are; only the registry and prefix change.
 */
export function rewriteToMirror(image: string, mirror: MirrorTarget): string | undefined {
  const prefix = `${mirror.upstream.registry.replace(/\/+$/, '')}/${mirror.upstream.namespace.replace(/^\/+|\/+$/g, '')}/`;
  if (!image.startsWith(prefix)) return undefined;
  const pathPrefix = (mirror.pathPrefix ?? '').replace(/^\/+|\/+$/g, '');
  return `${mirror.host}${pathPrefix ? `/${pathPrefix}` : ''}/${image.slice(mirror.upstream.registry.replace(/\/+$/, '').length + 1)}`;
}
