/**
 * The process a stdio server runs when spec.command is absent: the image's own Entrypoint and Cmd. The bridge
 * must be the container's command (it owns stdin and stdout and serves HTTP), and Kubernetes drops the image's
 * Entrypoint and Cmd once a command is set, so the bridge is told what they were. The supply-chain function reads
 * them from the image's config in the registry (where the pods pull from) and records them in its part of the
 * status; the server function renders the bridge with them, pinned to the digest they were read from, so the
 * process named is the process of the image that runs. Until a record for this very image exists, nothing is
 * rolled out (what runs stays).
 */
import type { ServerSpec } from '../api/index.ts';
import { withRegistry } from './mcp-server-pod.ts';

export const IMAGE_CONFIG_FIELD = 'imageConfig';

/** The supply chain's record of spec.image's config: Entrypoint and Cmd, or why they could not be read. */
export interface ImageConfigRecord {
  /** The reference read: spec.image at the registry override. */
  image: string;
  /** Manifest (or index) digest the config was read from. */
  digest?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** `Read`, or why not (ImageNotFound, PullFailed, ConfigUnreadable, PlatformsDisagree, …). */
  reason: string;
  message?: string;
}

export type ImageProcess =
  | { state: 'given' }
  | { state: 'resolved'; command: string[]; image: string }
  | { state: 'unresolved'; reason: string; message: string };

type Source = Pick<ServerSpec, 'image' | 'transport' | 'command' | 'args' | 'registryOverride'>;

/** Only a stdio server without command runs the image's own process behind the bridge. */
export function needsImageConfig(spec: Pick<ServerSpec, 'transport' | 'command'>): boolean {
  return spec.transport === 'stdio' && spec.command === undefined;
}

/** The reference the pods pull, which is where the config is read. */
export function pulledFrom(spec: Pick<ServerSpec, 'image' | 'registryOverride'>): string {
  return withRegistry(spec.image, spec.registryOverride);
}

const strings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');
const optional = <T>(value: unknown, is: (v: unknown) => v is T) => value === undefined || is(value);
const isString = (value: unknown): value is string => typeof value === 'string';

function recordOf(status: unknown): ImageConfigRecord | undefined {
  const record = (status as Record<string, unknown> | undefined)?.[IMAGE_CONFIG_FIELD];
  if (typeof record !== 'object' || record === null) return undefined;
  const { image, reason, digest, entrypoint, cmd } = record as Record<string, unknown>;
  const valid =
    isString(image) &&
    isString(reason) &&
    optional(digest, isString) &&
    optional(entrypoint, strings) &&
    optional(cmd, strings);
  return valid ? (record as ImageConfigRecord) : undefined;
}

/** `image` pinned to `digest`: kept as it is when it already names one. */
export function pinned(image: string, digest: string): string {
  return image.includes('@') ? image : `${image}@${digest}`;
}

/** As Kubernetes runs an image without command: its Entrypoint, then args when given, else its Cmd. */
function processOf(record: ImageConfigRecord, args: string[] | undefined): string[] {
  return [...(record.entrypoint ?? []), ...(args ?? record.cmd ?? [])];
}

/** What the bridge runs for `spec`, going by the supply-chain function's record in `status`. */
export function imageProcess(spec: Source, status: unknown): ImageProcess {
  if (!needsImageConfig(spec)) return { state: 'given' };
  const image = pulledFrom(spec);
  const record = recordOf(status);
  if (!record || record.image !== image)
    return {
      state: 'unresolved',
      reason: 'ImageConfigPending',
      message: `the supply-chain function has not read the entrypoint of ${image} yet (spec.command is not set)`,
    };
  if (record.reason !== 'Read' || !record.digest)
    return {
      state: 'unresolved',
      reason: record.reason,
      message: `${record.message ?? `the entrypoint of ${image} could not be read`}; or set spec.command`,
    };
  const command = processOf(record, spec.args);
  if (command.length === 0)
    return {
      state: 'unresolved',
      reason: 'NoEntrypoint',
      message: `${image} has neither Entrypoint nor Cmd in its config: set spec.command`,
    };
  return { state: 'resolved', command, image: pinned(image, record.digest) };
}
