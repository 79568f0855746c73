import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback address in front of several replicas of a function that hands each request to the next replica in
 * turn, as Knative's data path spreads a Service's requests over its pods. `refuse` answers that many of the next
 * requests 503 itself, as a replica cut short would.
 */
export class RoundRobin {
  targets: string[] = [];
  refuse = 0;
  refused = 0;
  private next = 0;
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void this.forward(request.headers, Buffer.concat(chunks)).then((status) => {
        response.writeHead(status).end();
      });
    });
  });

  private async forward(incoming: http.IncomingHttpHeaders, body: Buffer): Promise<number> {
    if (this.refuse > 0) {
      this.refuse -= 1;
      this.refused += 1;
      return 503;
    }
    const target = this.targets[this.next++ % this.targets.length];
    if (!target) return 503;
    const headers = Object.fromEntries(
      Object.entries(incoming).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
      ),
    );
    return fetch(target, { method: 'POST', headers, body }).then(
      (r) => r.status,
      () => 503,
    );
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
