import { EventRelay } from './event-fanout.ts';

/**
 * Hands each request to the next of several replicas of a function in turn, as Knative's data path spreads a
 * Service's requests over its pods. `refuse` answers that many of the next requests 503 itself, as a replica cut
 * short would.
 */
export class RoundRobin extends EventRelay {
  targets: string[] = [];
  refuse = 0;
  refused = 0;
  private next = 0;

  protected async forward(headers: Record<string, string>, body: Buffer): Promise<number> {
    if (this.refuse > 0) {
      this.refuse -= 1;
      this.refused += 1;
      return 503;
    }
    const target = this.targets[this.next++ % this.targets.length];
    if (!target) return 503;
    return fetch(target, { method: 'POST', headers, body }).then(
      (r) => r.status,
      () => 503,
    );
  }
}
