/**
 * Recorded CloudEvents (the files under test/fixtures/events/): each the headers and body of one binary-mode
 * HTTP request as Knative's ApiServerSource adapter or a PingSource sent it.
 */
export interface RecordedEvent {
  /** The `ce-*` attributes and `content-type`. */
  headers: Record<string, string>;
  body: string;
}

/** A fixture file that is not a list of recorded events; the message says which entry and why. */
export class FixtureError extends Error {
  readonly code = 'MCPG_ERR_FIXTURE';

  constructor(message: string) {
    super(message);
    this.name = 'FixtureError';
  }
}

/** Reads a fixture file's text: a list of recorded events, or one. */
export function parseFixture(text: string): RecordedEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FixtureError(`not JSON: ${(error as Error).message}`);
  }
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  entries.forEach((entry, index) => {
    const problem = eventProblem(entry);
    if (problem) throw new FixtureError(`event ${index + 1}: ${problem}`);
  });
  return entries as RecordedEvent[];
}

function eventProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'must be an object with headers and body';
  const { headers, body } = entry as { headers?: unknown; body?: unknown };
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return 'headers must be an object of ce-* attributes';
  }
  if (Object.values(headers).some((v) => typeof v !== 'string')) return 'every header value must be a string';
  if (!('ce-type' in headers)) return 'headers need ce-type (a binary-mode CloudEvent)';
  if (typeof body !== 'string') return 'body must be a string (the request body as sent)';
  return undefined;
}

/** The namespaces the events name (their ce-namespace attribute), sorted. */
export function namespacesOf(events: readonly RecordedEvent[]): string[] {
  const names = new Set(events.map((e) => e.headers['ce-namespace'] ?? '').filter((n) => n !== ''));
  return [...names].sort();
}

/**
 * The events with every mention of namespace `from` (attributes, subjects, object payloads) moved to `to`, so a
 * recording replays against objects in another namespace.
 */
export function moveNamespace(events: readonly RecordedEvent[], from: string, to: string): RecordedEvent[] {
  const moved = JSON.stringify(events)
    .replaceAll(`"${from}"`, `"${to}"`)
    .replaceAll(`\\"${from}\\"`, `\\"${to}\\"`)
    .replaceAll(`/namespaces/${from}/`, `/namespaces/${to}/`);
  return JSON.parse(moved) as RecordedEvent[];
}
