/** The test MCP server over streamable HTTP (JSON responses, no event stream): POST /mcp on $PORT (8080). */
import http from 'node:http';
import { readBody, reply } from './http-body.ts';
import { answer, type JsonRpcMessage } from './protocol.ts';

const port = Number(process.env.PORT ?? '8080');
const MAX_BODY = 1024 * 1024;

const server = http.createServer((request, response) => {
  if (request.url !== '/mcp' || request.method !== 'POST') {
    reply(response, request.url === '/mcp' ? 405 : 404);
    return;
  }
  readBody(request, response, MAX_BODY, (text) => {
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(text) as JsonRpcMessage;
    } catch {
      reply(response, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
      return;
    }
    const body = answer(message, 'mcpg-test-http');
    reply(response, body ? 200 : 202, body);
  });
});

server.listen(port, () => {
  console.error(`mcp test server listening on :${port}/mcp`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
