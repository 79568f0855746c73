/**
 * Graceful shutdown of a function: on SIGTERM it stops taking events (new ones are answered 503, which the
 * sources retry, so another replica or the next start takes them), lets the passes in flight finish within
 * the grace period, and tells long work (a resync) to stop starting new passes.
 */
export class Drain {
  private inFlight = 0;
  private stopping = false;
  private readonly controller = new AbortController();
  private idle: (() => void) | undefined;

  /** Aborted once shutdown begins: work that loops (a resync) stops taking on more. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get accepting(): boolean {
    return !this.stopping;
  }

  /** Runs `work` as one in-flight request. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.idle?.();
    }
  }

  /** Stops taking events and waits for the ones in flight; false when the grace period ran out first. */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping = true;
    this.controller.abort(new Error('the function is shutting down'));
    if (this.inFlight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      new Promise<true>((resolve) => {
        this.idle = () => {
          resolve(true);
        };
      }),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, graceMs);
      }),
    ]);
    clearTimeout(timer);
    return finished;
  }
}
