/**
 * Sending a resync's shards to the function's own address (its Knative Service), so that whichever replica has
 * room takes each one. A shard answered 503 (cut short by its deadline, or the API server failing) is sent
 * again after a pause, up to a few times; 400 is never retried. When the address cannot be reached at all (no
 * route to the Service yet), the shard is worked through here instead: spreading the work is an optimisation,
 * never a condition for the resync to happen.
 */
import { randomUUID } from 'node:crypto';
import { SHARD_TYPE, type ResyncShard } from './events.ts';
import type { ShardSink } from './resync.ts';

const ATTEMPTS = 3;
const FIRST_PAUSE_MS = 1_000;

export interface HttpShardSinkOptions {
  /** The function's own address, such as http://mcpg-server.mcpg-system.svc.cluster.local. */
  url: string;
  /** The CloudEvent source of the shards: the function sending them. */
  source: string;
  /** How long one shard request may take: its receiver's deadline plus a margin. */
  timeoutMs: number;
  /** Works a shard through in this process, when the address cannot be reached. */
  here: ShardSink;
}

/** Connection failures (as opposed to an answer): the address resolves nowhere or nothing listens there. */
function unreachable(error: unknown): boolean {
  const code = ((error as { cause?: { code?: string } }).cause ?? {}).code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH';
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function httpShardSink(options: HttpShardSinkOptions): ShardSink {
  const post = (shard: ResyncShard, signal: AbortSignal) =>
    fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': randomUUID(),
        'ce-type': SHARD_TYPE,
        'ce-source': options.source,
        'ce-time': new Date().toISOString(),
      },
      body: JSON.stringify(shard),
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
    });
  return {
    async send(shard, signal) {
      for (let attempt = 1; attempt <= ATTEMPTS && !signal.aborted; attempt += 1) {
        try {
          const answer = await post(shard, signal);
          if (answer.ok) return true;
          if (answer.status === 400) return false;
        } catch (error) {
          if (attempt === 1 && unreachable(error)) return options.here.send(shard, signal);
        }
        await pause(FIRST_PAUSE_MS * 2 ** (attempt - 1), signal);
      }
      return false;
    },
  };
}
