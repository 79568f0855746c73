/** Reconcile failures, by how the event source should treat them. Matched on `code`, not instanceof. */
export class TransientError extends Error {
  readonly code = 'MCPG_ERR_TRANSIENT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** A problem retrying cannot fix (bad reference, invalid spec): reported in status, never retried. */
export class TerminalError extends Error {
  readonly code = 'MCPG_ERR_TERMINAL';
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = 'TerminalError';
    this.reason = reason;
  }
}

export function isTerminal(error: unknown): error is TerminalError {
  return (error as { code?: unknown } | null)?.code === 'MCPG_ERR_TERMINAL';
}
