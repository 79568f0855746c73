/**
 * The Entrypoint and Cmd of an MCPGServer's image, read where its pods pull it from (the registry override when
 * set, with the server's pull secrets), for a stdio server without spec.command: the bridge then runs what the
 * image would run. A multi-platform index is read for each Linux image it lists, and they must agree, since one
 * command serves every node. Only the small JSON documents are read (manifests and the config blob), never layers.
 */
import type { ServerSpec } from '@mcpg-functions/shared/api';
import { pulledFrom, type ImageConfigRecord } from '@mcpg-functions/shared/workloads';
import type { Credentials } from '../oci/auth.ts';
import type { RegistryClient } from '../oci/client.ts';
import type { Descriptor, Manifest } from '../oci/types.ts';
import { pullFailureReason, RegistryError } from '../oci/errors.ts';
import { parseReference, type Reference } from '../oci/reference.ts';
import { registryClient } from '../plugin/pull-location.ts';
import { pullCredentials, type ImageDeps } from './verify-image.ts';

/** Configs hold history and labels besides the entrypoint; larger than this is not an image config. */
const CONFIG_LIMIT = 1024 * 1024;
/** An index naming more Linux images than this is refused rather than read in full. */
const MAX_PLATFORMS = 16;

type Process = Pick<ImageConfigRecord, 'entrypoint' | 'cmd'>;

class ConfigProblem extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

function stringList(value: unknown, field: string, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new ConfigProblem('ConfigUnreadable', `${what}: config.${field} is not a list of strings`);
}

async function configOf(registry: RegistryClient, repository: string, manifest: Manifest): Promise<Process> {
  const what = `${registry.registry}/${repository}@${manifest.digest}`;
  const descriptor = manifest.document.config;
  if (!descriptor) throw new ConfigProblem('ConfigUnreadable', `${what} has no config: it is not an image`);
  let document: { config?: Record<string, unknown> | null };
  try {
    const bytes = await registry.blob(repository, descriptor, CONFIG_LIMIT);
    document = JSON.parse(bytes.toString('utf8')) as typeof document;
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new ConfigProblem('ConfigUnreadable', `${what}: the image config is not JSON`);
  }
  const config = document.config ?? {};
  const entrypoint = stringList(config.Entrypoint, 'Entrypoint', what);
  const cmd = stringList(config.Cmd, 'Cmd', what);
  return { ...(entrypoint ? { entrypoint } : {}), ...(cmd ? { cmd } : {}) };
}

type IndexEntry = Descriptor & { platform?: { os?: string } };

/** The Linux images of an index (attestations and other platforms are not run on Linux nodes). */
function linuxImages(index: Manifest, what: string): IndexEntry[] {
  const entries = ((index.document.manifests ?? []) as IndexEntry[]).filter(
    (entry) => entry.platform?.os === 'linux',
  );
  if (entries.length === 0) throw new ConfigProblem('ConfigUnreadable', `${what} lists no linux image`);
  if (entries.length > MAX_PLATFORMS)
    throw new ConfigProblem(
      'ConfigUnreadable',
      `${what} lists ${entries.length} linux images, over the ${MAX_PLATFORMS} read; set spec.command`,
    );
  return entries;
}

async function processOf(registry: RegistryClient, reference: Reference, top: Manifest): Promise<Process> {
  const { repository } = reference;
  if (!top.document.manifests) return configOf(registry, repository, top);
  const what = `${registry.registry}/${repository}@${top.digest}`;
  const processes: Process[] = [];
  for (const entry of linuxImages(top, what)) {
    processes.push(await configOf(registry, repository, await registry.manifest(repository, entry.digest)));
  }
  const distinct = new Set(processes.map((p) => JSON.stringify([p.entrypoint, p.cmd])));
  if (distinct.size > 1)
    throw new ConfigProblem(
      'PlatformsDisagree',
      `the platforms of ${what} have different Entrypoint or Cmd; set spec.command`,
    );
  return processes[0] ?? {};
}

function failure(image: string, reason: string, message: string): ImageConfigRecord {
  return { image, reason, message };
}

function registryFailure(image: string, error: RegistryError): ImageConfigRecord {
  if (error.code === 'NotFound') return failure(image, 'ImageNotFound', error.message);
  return failure(image, pullFailureReason(error), error.message);
}

/**
 * Reads spec.image's Entrypoint and Cmd at its digest, or at its tag; the record names the digest read, which the
 * pods are then pinned to, so a tag that moves later is read again before its new process runs.
 */
export async function readImageConfig(
  server: { namespace: string; spec: ServerSpec },
  deps: ImageDeps,
): Promise<ImageConfigRecord> {
  const image = pulledFrom(server.spec);
  let reference: Reference;
  try {
    reference = parseReference(image);
  } catch (error) {
    return failure(image, 'ReferenceInvalid', `spec.image: ${(error as Error).message}`);
  }
  let credentials: Credentials | undefined;
  try {
    credentials = await pullCredentials(deps, server.namespace, server.spec, reference.registry);
  } catch (error) {
    return failure(image, 'CredentialsUnavailable', (error as Error).message);
  }
  const registry = registryClient(deps.settings, reference.registry, { credentials, signal: deps.signal });
  try {
    const top = await registry.manifest(reference.repository, reference.digest ?? reference.tag ?? 'latest');
    const process = await processOf(registry, reference, top);
    return { image, digest: top.digest, ...process, reason: 'Read' };
  } catch (error) {
    if (error instanceof ConfigProblem) return failure(image, error.reason, error.message);
    if (error instanceof RegistryError) return registryFailure(image, error);
    throw error;
  }
}
