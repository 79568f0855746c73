/**
 * `mcpg replay`: sends recorded CloudEvents, in binary mode as Knative's sources send them, to a running
 * function and prints each answer.
 */
import { readFile } from 'node:fs/promises';
import { FixtureError, moveNamespace, namespacesOf, parseFixture, type RecordedEvent } from './fixtures.ts';
import type { Io } from './io.ts';

export interface ReplayOptions {
  fixture: string;
  url: string;
  /** Which events to send: 1-based positions or ce-id values (default: all, in order). */
  events: readonly string[];
  /** Moves the recording's namespace to this one. */
  namespace: string | undefined;
}

/** Exit codes: 0 every answer 2xx, 1 another answer or no answer, 2 a bad fixture, selection or URL. */
export async function replay(options: ReplayOptions, io: Io): Promise<number> {
  let events: RecordedEvent[];
  let target: URL;
  try {
    target = parseTarget(options.url);
    events = await loadSelected(options);
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    io.err(`mcpg: ${error.message}`);
    return 2;
  }
  let failed = 0;
  for (const [index, event] of events.entries()) {
    const label = `[${index + 1}/${events.length}] ${describe(event)}`;
    const answer = await send(target, event).catch((error: unknown) => error as Error);
    if (answer instanceof Error) {
      io.err(`${label}: no answer from ${target.href}: ${reason(answer)}`);
      return 1;
    }
    io.out(`${label} -> ${answer.status} ${answer.statusText}`);
    for (const line of answer.lines) io.out(`  ${line}`);
    if (answer.status < 200 || answer.status > 299) failed += 1;
  }
  return failed === 0 ? 0 : 1;
}

function parseTarget(url: string): URL {
  const target = URL.canParse(url) ? new URL(url) : undefined;
  if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
    throw new FixtureError(`the function URL must be http:// or https:// (got ${JSON.stringify(url)})`);
  }
  return target;
}

async function loadSelected(options: ReplayOptions): Promise<RecordedEvent[]> {
  const text = await readFile(options.fixture, 'utf8').catch(() => {
    throw new FixtureError(`no such fixture file: ${options.fixture}`);
  });
  let events: RecordedEvent[];
  try {
    events = parseFixture(text);
  } catch (error) {
    throw new FixtureError(`${options.fixture}: ${(error as Error).message}`);
  }
  if (options.namespace !== undefined) events = retarget(events, options.namespace);
  if (options.events.length === 0) return events;
  return options.events.map((selector) => pick(events, selector, options.fixture));
}

function retarget(events: RecordedEvent[], namespace: string): RecordedEvent[] {
  const recorded = namespacesOf(events);
  if (recorded.length > 1) {
    throw new FixtureError(`--namespace moves one namespace, but the events name ${recorded.join(', ')}`);
  }
  const [from] = recorded;
  return from === undefined ? events : moveNamespace(events, from, namespace);
}

/** An event by its 1-based position or its ce-id. */
function pick(events: readonly RecordedEvent[], selector: string, fixture: string): RecordedEvent {
  const byPosition = /^\d+$/.test(selector) ? events[Number(selector) - 1] : undefined;
  const found = byPosition ?? events.find((e) => e.headers['ce-id'] === selector);
  if (!found) {
    throw new FixtureError(
      `${fixture} has no event ${selector} (give a position from 1 to ${events.length} or a ce-id)`,
    );
  }
  return found;
}

/** `dev.knative.apiserver.resource.add MCPGServer replay/tools` */
function describe(event: RecordedEvent): string {
  const h = event.headers;
  const object = h['ce-name'] ? [h['ce-namespace'], h['ce-name']].filter(Boolean).join('/') : '';
  return [h['ce-type'], h['ce-kind'], object].filter(Boolean).join(' ');
}

interface Answer {
  status: number;
  statusText: string;
  /** A reply event's type and the body, when there is one. */
  lines: string[];
}

async function send(target: URL, event: RecordedEvent): Promise<Answer> {
  const response = await fetch(target, {
    method: 'POST',
    headers: event.headers,
    body: event.body,
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.text()).trim();
  const replyType = response.headers.get('ce-type');
  return {
    status: response.status,
    statusText: response.statusText,
    lines: [...(replyType ? [`reply event: ${replyType}`] : []), ...(body ? body.split('\n') : [])],
  };
}

/** fetch hides the socket error in `cause`. */
function reason(error: Error): string {
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}
