/**
 * A CloudEvents sink for tests: every event POSTed to it (binary or structured mode) is kept in memory and listed
 * by GET /events, oldest first, as `{ attributes, data }`. Listens on $PORT (8080).
 */
import http from 'node:http';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import { readBody, reply } from '../mcp-test-server/http-body.ts';

const port = Number(process.env.PORT ?? '8080');
const MAX_BODY = 4 * 1024 * 1024;
/** Bounds the memory a long run can take: the oldest events go first. */
const MAX_EVENTS = 5000;

interface Recorded {
  attributes: Record<string, unknown>;
  data: unknown;
}

const events: Recorded[] = [];

function record(event: CloudEventV1<unknown>): void {
  const { data, ...rest } = event;
  const attributes = Object.fromEntries(Object.entries(rest).filter(([name]) => name !== 'data_base64'));
  events.push({ attributes, data });
  if (events.length > MAX_EVENTS) events.shift();
}

function receive(request: http.IncomingMessage, response: http.ServerResponse): void {
  readBody(request, response, MAX_BODY, (text) => {
    try {
      const received = HTTP.toEvent({
        headers: request.headers,
        body: text,
      });
      (Array.isArray(received) ? received : [received]).forEach(record);
      reply(response, 202);
    } catch (error) {
      reply(response, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  });
}

const server = http.createServer((request, response) => {
  if (request.method === 'POST') receive(request, response);
  else if (request.method === 'GET' && request.url === '/events') reply(response, 200, events);
  else if (request.method === 'GET' && request.url === '/healthz')
    reply(response, 200, { events: events.length });
  else reply(response, 404);
});

server.listen(port, () => {
  console.error(`event recorder listening on :${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
