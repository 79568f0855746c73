/** What the test images that answer HTTP share: a bounded request body, and a JSON (or empty) reply. */
import type http from 'node:http';

export function reply(response: http.ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

/** Reads the body as text; a body over `maxBytes` is answered 413 and never reaches `handle`. */
export function readBody(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  maxBytes: number,
  handle: (text: string) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  });
  request.on('end', () => {
    if (size > maxBytes) reply(response, 413);
    else handle(Buffer.concat(chunks).toString('utf8'));
  });
}
