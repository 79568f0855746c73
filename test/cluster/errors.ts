/**
 * A failure of the local test bed, said the way a developer can act on it:
 * what failed, which log to read, and what to do next.
 */
export class TestBedError extends Error {
  readonly log: string | undefined;
  readonly fix: string;

  constructor(what: string, details: { log?: string; fix: string; cause?: unknown }) {
    super(what, { cause: details.cause });
    this.name = 'TestBedError';
    this.log = details.log;
    this.fix = details.fix;
  }

  /** The multi-line form printed by the CLI and shown by vitest when global setup fails. */
  describe(): string {
    const lines = [`error: ${this.message}`];
    if (this.log) lines.push(`  log: ${this.log}`);
    lines.push(`  fix: ${this.fix}`);
    return lines.join('\n');
  }
}
