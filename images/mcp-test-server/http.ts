/** The test MCP server over streamable HTTP (JSON responses, no event stream): POST /mcp on $PORT (8080). */
import http from 'node:http';
import { answer, type JsonRpcMessage } from './protocol.ts';

const port = Number(process.env.PORT ?? '8080');
const MAX_BODY = 1024 * 1024;

function reply(response: http.ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

const server = http.createServer((request, response) => {
  if (request.url !== '/mcp' || request.method !== 'POST') {
    reply(response, request.url === '/mcp' ? 405 : 404);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  request.on('end', () => {
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonRpcMessage;
    } catch {
      reply(response, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
      return;
    }
    const body = size > MAX_BODY ? undefined : answer(message, 'mcpg-test-http');
    reply(response, body ? 200 : 202, body);
  });
});

server.listen(port, () => {
  console.error(`mcp test server listening on :${port}/mcp`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
