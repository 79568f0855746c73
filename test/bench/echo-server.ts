/** A bare fastify HTTPS server that echoes the JSON it receives: the floor the admission benchmark compares with. */
import { readFileSync } from 'node:fs';
import fastify from 'fastify';

const [certFile, keyFile, port] = process.argv.slice(2);
if (!certFile || !keyFile || !port) throw new Error('usage: echo-server.ts <cert> <key> <port>');
const app = fastify({
  https: { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  bodyLimit: 7 * 1024 * 1024,
});
app.post('/echo', (request, reply) => reply.send(request.body));
app.get('/health/readiness', (_, reply) => reply.send({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port: Number(port) });
