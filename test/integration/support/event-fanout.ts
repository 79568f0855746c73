import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback sink in front of several replicas of a function: what it does with each request is its subclass's
 * (EventFanout, RoundRobin); it answers with the status `forward` resolves to.
 */
export abstract class EventRelay {
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
        ),
      );
      void this.forward(headers, Buffer.concat(chunks)).then((status) => {
        response.writeHead(status).end();
      });
    });
  });

  protected abstract forward(headers: Record<string, string>, body: Buffer): Promise<number>;

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Hands every event it receives to each of several replicas of a function at once, the harshest case for
 * replicas sharing one event stream: every pass runs twice, concurrently, in two processes. Answers 503 when any
 * replica did (so the adapter retries as it would), else the first replica's answer.
 */
export class EventFanout extends EventRelay {
  delivered = 0;
  private readonly targets: string[];

  constructor(targets: string[]) {
    super();
    this.targets = targets;
  }

  protected async forward(headers: Record<string, string>, body: Buffer): Promise<number> {
    this.delivered += 1;
    const statuses = await Promise.all(
      this.targets.map((target) =>
        fetch(target, { method: 'POST', headers, body }).then(
          (r) => r.status,
          () => 503,
        ),
      ),
    );
    return statuses.includes(503) ? 503 : (statuses[0] ?? 503);
  }
}
