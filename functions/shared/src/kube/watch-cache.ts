/**
 * A list-then-watch cache of one collection over the project's own Connection: the objects are listed page by
 * page, then watched from the list's resourceVersion, and each event is applied to a map. It keeps only what its
 * owner asks for (a projection of each object, metadata alone where that is enough), and says whether it is in
 * sync: after a failed watch or list it re-lists, and until that list is done its content must not be trusted.
 * The admission webhook's caches use it instead of @kubernetes/client-node's informers, for the memory that library
 * costs (see connection.ts).
 */
import https from 'node:https';
import type { Logger } from '../runtime/index.ts';
import type { Connection } from './connection.ts';
import type { KubeObject } from './objects.ts';
import { kubeRequest } from './raw.ts';

/** The API server answers with an object's metadata alone (PartialObjectMetadata): a read, and each watch event. */
export const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
/** The same for a list, which the API server answers as PartialObjectMetadataList. */
const METADATA_ONLY_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** Objects per list page by default: bounds what one answer holds in memory. */
const PAGE_SIZE = 500;
/** The first wait before re-listing after a failure; each failure in a row doubles it, up to the cap. */
const RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 16_000;
/** A watch closed sooner than this after it opened is treated as a failure, so a closing server is no hot loop. */
const MIN_WATCH_MS = 1_000;
/** The server ends each watch after a timeout chosen in this range (seconds), spreading the re-watches. */
const WATCH_TIMEOUT_S = { min: 300, max: 600 };
/** A watch still open this long after its timeout has stalled. */
const STALL_GRACE_MS = 30_000;

/** One line of a watch: an object event, or an ERROR event carrying a Status. */
export interface WatchEvent {
  type: string;
  object: KubeObject & { code?: number; message?: string };
}

/** How a watch ended. */
export type WatchEnd =
  { kind: 'closed' } | { kind: 'expired' } | { kind: 'failed'; error: unknown } | { kind: 'stopped' };

/** What an event did to the cache. */
export type Applied =
  { kind: 'changed' | 'bookmark'; resourceVersion: string | undefined } | { kind: 'ended'; end: WatchEnd };

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

export function objectKey(metadata: { name?: string; namespace?: string | undefined }): string {
  return `${metadata.namespace ?? ''}/${metadata.name ?? ''}`;
}

function failed(message: string): Applied {
  return { kind: 'ended', end: { kind: 'failed', error: new Error(message) } };
}

/**
 * Applies one watch event to `objects`: ADDED and MODIFIED store the kept projection, DELETED removes it, BOOKMARK
 * only moves the resourceVersion on; an ERROR event ends the watch (410 Gone: the resourceVersion is too old), and
 * so does a type this cache does not know, rather than being skipped.
 */
export function applyWatchEvent<T>(
  objects: Map<string, T>,
  event: WatchEvent,
  keep: (object: KubeObject) => T,
): Applied {
  const { type, object } = event;
  if (type === 'ERROR') {
    if (object.code === 410) return { kind: 'ended', end: { kind: 'expired' } };
    return failed(`the watch answered: ${object.message ?? 'an error'}`);
  }
  if (!OBJECT_EVENTS.has(type)) return failed(`unknown watch event type ${type}`);
  if (type === 'DELETED') objects.delete(objectKey(object.metadata));
  else if (type !== 'BOOKMARK') objects.set(objectKey(object.metadata), keep(object));
  return {
    kind: type === 'BOOKMARK' ? 'bookmark' : 'changed',
    resourceVersion: object.metadata.resourceVersion,
  };
}

export interface NextStep {
  action: 'watch' | 'list' | 'stop';
  /** Milliseconds to wait first. */
  delayMs: number;
  /** The cache's content can no longer be trusted until the next list is done. */
  outOfSync: boolean;
}

/** The wait before the next try after `failuresInARow` failures (1 or more): doubling, capped. */
export function retryDelayMs(failuresInARow: number): number {
  return Math.min(RETRY_DELAY_MS * 2 ** Math.max(0, failuresInARow - 1), MAX_RETRY_DELAY_MS);
}

/**
 * What to do after a watch ended. A watch the server closed in due course resumes from the last resourceVersion
 * at once: nothing was missed, and a resourceVersion too old by then is answered with 410 and handled as such.
 * Anything else (410 Gone, an ERROR event, a cut or stalled stream) means the cache may have missed changes: it is
 * out of sync, and is listed again after a delay that grows with the failures in a row.
 */
export function nextStep(end: WatchEnd, watchedMs: number, failuresInARow: number): NextStep {
  if (end.kind === 'stopped') return { action: 'stop', delayMs: 0, outOfSync: false };
  if (end.kind === 'closed' && watchedMs >= MIN_WATCH_MS) {
    return { action: 'watch', delayMs: 0, outOfSync: false };
  }
  return { action: 'list', delayMs: retryDelayMs(failuresInARow + 1), outOfSync: true };
}

/** Splits a stream of newline-delimited JSON into complete lines. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((line) => line.trim() !== '');
  }
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

export interface WatchCacheOptions<T> {
  /** The collection, such as `/api/v1/namespaces` (all namespaces for namespaced kinds). */
  path: string;
  /** What of each object the cache holds. */
  keep: (object: KubeObject) => T;
  /** List and watch the objects' metadata alone, when that is all `keep` reads. */
  metadataOnly?: boolean;
  logger: Logger;
  /** Objects per list page (default 500). */
  pageSize?: number;
  /** Seconds the server keeps each watch open (default: a random choice between 5 and 10 minutes). */
  watchTimeoutSeconds?: number;
}

export class WatchCache<T> {
  private objects = new Map<string, T>();
  private synced = false;
  private stopped = false;
  private resourceVersion: string | undefined;
  private failuresInARow = 0;
  private changes = 0;
  private lastFailure: unknown;
  private failureCount = 0;
  private activeWatch: { destroy: () => void } | undefined;
  private wake: (() => unknown) | undefined;
  private running: Promise<void> | undefined;
  private readonly connection: Connection;
  private readonly options: WatchCacheOptions<T>;

  constructor(connection: Connection, options: WatchCacheOptions<T>) {
    this.connection = connection;
    this.options = options;
  }

  /** Lists once, then keeps watching in the background; resolves after the first list, whether it worked or not. */
  async start(): Promise<void> {
    if (this.running) return;
    const listed = Promise.withResolvers<unknown>();
    this.running = this.run(() => {
      listed.resolve(undefined);
    });
    await listed.promise;
  }

  /** Whether the content is complete and current: only then may it be read. */
  get ready(): boolean {
    return this.synced;
  }

  /** Lists and watches that failed so far. */
  get failures(): number {
    return this.failureCount;
  }

  /** Why the last list or watch failed. */
  get lastError(): unknown {
    return this.lastFailure;
  }

  /** Which state of the content this is: it changes with each change, re-lists included. */
  get revision(): number {
    return this.changes;
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(objectKey({ name, namespace }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.activeWatch?.destroy();
    this.wake?.();
    await this.running;
  }

  private async run(listed: () => void): Promise<void> {
    let needsList = true;
    while (!this.stopped) {
      if (needsList) {
        const ok = await this.relist();
        listed();
        if (!ok) {
          await this.pause(retryDelayMs(this.failuresInARow));
          continue;
        }
      }
      const opened = Date.now();
      const end = await this.watch();
      const step = nextStep(end, Date.now() - opened, this.failuresInARow);
      if (step.action === 'stop') break;
      if (step.outOfSync) this.outOfSync(end);
      needsList = step.action === 'list';
      await this.pause(step.delayMs);
    }
    this.synced = false;
  }

  private outOfSync(end: WatchEnd): void {
    this.synced = false;
    // Nothing reads an unsynced cache: its content is dropped now rather than held beside the next list's.
    this.objects = new Map();
    this.changes += 1;
    if (end.kind === 'expired') {
      this.options.logger.info({ path: this.options.path }, 'watch expired (410 Gone); re-listing');
      return;
    }
    const error = end.kind === 'failed' ? end.error : new Error('the watch closed at once');
    this.recordFailure(error);
    this.options.logger.warn({ path: this.options.path, err: error }, 'watch failed; re-listing');
  }

  private recordFailure(error: unknown): void {
    this.lastFailure = error;
    this.failureCount += 1;
    this.failuresInARow += 1;
  }

  /** Lists every page into a fresh map; true once the whole list is in. */
  private async relist(): Promise<boolean> {
    let listed: { objects: Map<string, T>; resourceVersion: string | undefined };
    try {
      listed = await this.listPages();
    } catch (error) {
      this.recordFailure(error);
      this.options.logger.warn({ path: this.options.path, err: error }, 'list failed; retrying');
      return false;
    }
    if (this.stopped) return false;
    this.objects = listed.objects;
    this.resourceVersion = listed.resourceVersion;
    this.changes += 1;
    this.failuresInARow = 0;
    this.synced = true;
    return true;
  }

  private async listPages(): Promise<{ objects: Map<string, T>; resourceVersion: string | undefined }> {
    const objects = new Map<string, T>();
    let page: ListPage | undefined;
    do {
      page = await this.listPage(page?.metadata?.continue);
      for (const item of page.items ?? []) objects.set(objectKey(item.metadata), this.options.keep(item));
    } while (page.metadata?.continue && !this.stopped);
    return { objects, resourceVersion: page.metadata?.resourceVersion };
  }

  private listPage(next: string | undefined): Promise<ListPage> {
    const query = new URLSearchParams({ limit: String(this.options.pageSize ?? PAGE_SIZE) });
    if (next) query.set('continue', next);
    const headers = { accept: this.options.metadataOnly ? METADATA_ONLY_LIST : 'application/json' };
    const path = `${this.options.path}?${query.toString()}`;
    return kubeRequest<ListPage>(this.connection, { method: 'GET', path, headers });
  }

  /** Waits `ms`, or less if the cache is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private watchTimeoutSeconds(): number {
    const { min, max } = WATCH_TIMEOUT_S;
    return this.options.watchTimeoutSeconds ?? Math.round(min + Math.random() * (max - min));
  }

  /** One watch from the current resourceVersion, applying its events until it ends. */
  private watch(): Promise<WatchEnd> {
    const timeoutSeconds = this.watchTimeoutSeconds();
    const query = new URLSearchParams({
      watch: 'true',
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
    });
    if (this.resourceVersion) query.set('resourceVersion', this.resourceVersion);
    const url = new URL(`${this.options.path}?${query.toString()}`, this.connection.server);
    return new Promise<WatchEnd>((resolve) => {
      let ended = false;
      const req = https.request(url, {
        ...this.connection.tls,
        headers: {
          accept: this.options.metadataOnly ? METADATA_ONLY : 'application/json',
          ...this.connection.headers(),
        },
      });
      const finish = (end: WatchEnd): void => {
        if (ended) return;
        ended = true;
        clearTimeout(stall);
        this.activeWatch = undefined;
        req.destroy();
        resolve(this.stopped ? { kind: 'stopped' } : end);
      };
      const fail = (error: unknown): void => {
        finish({ kind: 'failed', error });
      };
      const stall = setTimeout(
        () => {
          fail(new Error(`the watch of ${this.options.path} stalled`));
        },
        timeoutSeconds * 1000 + STALL_GRACE_MS,
      );
      this.activeWatch = {
        destroy: () => {
          finish({ kind: 'stopped' });
        },
      };
      req.on('error', fail);
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          if (res.statusCode === 410) finish({ kind: 'expired' });
          else fail(new Error(`the watch answered ${String(res.statusCode)}`));
          return;
        }
        const lines = new LineSplitter();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          for (const line of lines.push(chunk)) if (!ended) this.onEvent(line, finish);
        });
        res.on('end', () => {
          finish({ kind: 'closed' });
        });
        res.on('error', fail);
        // After 'end' this changes nothing; without it, the connection was cut.
        res.on('close', () => {
          fail(new Error('the watch connection was cut'));
        });
      });
      req.end();
    });
  }

  private onEvent(line: string, finish: (end: WatchEnd) => void): void {
    let event: WatchEvent;
    try {
      event = JSON.parse(line) as WatchEvent;
    } catch (error) {
      finish({ kind: 'failed', error });
      return;
    }
    const applied = applyWatchEvent(this.objects, event, this.options.keep);
    if (applied.kind === 'ended') {
      finish(applied.end);
      return;
    }
    if (applied.resourceVersion) this.resourceVersion = applied.resourceVersion;
    if (applied.kind === 'changed') this.changes += 1;
  }
}
