/** Reconcile failures, by how the event source should treat them. Matched on `code`, not instanceof. */
export class TransientError extends Error {
  readonly code = 'MCPG_ERR_TRANSIENT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/**
 * What a terminal failure waits for before the object is tried again:
 *  - `dependencies`: a change to something the object refers to (a missing plugin set, a missing template),
 *    which its dependency events and every resync look for; the unchanged failure writes nothing;
 *  - `spec`: a change to the object's own spec (a child name another owner holds, a child the API server
 *    refuses); events and resyncs leave it alone until then, apart from a rare recheck (backoff.ts).
 */
export type TerminalWait = 'dependencies' | 'spec';

/** A problem retrying cannot fix (bad reference, invalid spec): reported in status, never retried. */
export class TerminalError extends Error {
  readonly code = 'MCPG_ERR_TERMINAL';
  readonly reason: string;
  readonly waitsFor: TerminalWait;

  constructor(reason: string, message: string, options: { waitsFor?: TerminalWait; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TerminalError';
    this.reason = reason;
    this.waitsFor = options.waitsFor ?? 'dependencies';
  }
}

export function isTerminal(error: unknown): error is TerminalError {
  return (error as { code?: unknown } | null)?.code === 'MCPG_ERR_TERMINAL';
}
