/**
 * A bare `node:https` server that parses and re-serialises the JSON it receives: the floor the admission
 * benchmark compares with (the same TLS, body and JSON work, and nothing else).
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [certFile, keyFile, port] = process.argv.slice(2);
if (!certFile || !keyFile || !port) throw new Error('usage: echo-server.ts <cert> <key> <port>');
const server = https.createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), keepAliveTimeout: 72_000 },
  (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body =
        request.url === '/echo' ? JSON.stringify(JSON.parse(Buffer.concat(chunks).toString())) : '{}';
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
  },
);
server.listen(Number(port), '127.0.0.1');
