import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEventV1 } from 'cloudevents';

export type ReceivedEvent = CloudEventV1<unknown>;

/**
 * A plain HTTP sink on loopback that decodes every request as a CloudEvent (binary or structured) and
 * answers 204, or 400 for a request that is not one. Stands in for a function in smoke tests only.
 */
export class EventReceiver {
  readonly events: ReceivedEvent[] = [];
  readonly rejected: string[] = [];
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const event = HTTP.toEvent({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        this.events.push(...(Array.isArray(event) ? event : [event]));
        response.writeHead(204).end();
      } catch (error) {
        this.rejected.push(String(error));
        response.writeHead(400).end();
      }
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  find(predicate: (event: ReceivedEvent) => boolean): ReceivedEvent | undefined {
    return this.events.find(predicate);
  }
}
