/**
 * The functions' own HTTP host (functions/shared/src/runtime/http) answering every review "allowed" after parsing
 * its body, and deciding nothing: what any webhook on that host costs, so the admission benchmark can tell the
 * host's share from the decision's.
 */
import { readFileSync } from 'node:fs';
import { HttpHost, jsonBody, jsonReply } from '@mcpg-functions/shared/runtime';

const [certFile, keyFile, port, route] = process.argv.slice(2);
if (!certFile || !keyFile || !port || !route)
  throw new Error('usage: host-floor-server.ts <cert> <key> <port> <path>');
const host = new HttpHost({ tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } })
  .route('GET', '/health/readiness', () => jsonReply(200, { status: 'ok' }))
  .route('POST', route, (request) => {
    const { uid } = (jsonBody(request) as { request: { uid: string } }).request;
    return jsonReply(200, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid, allowed: true },
    });
  });
await host.listen({ host: '127.0.0.1', port: Number(port) });
// A clean exit, so a CPU profile (--cpu-prof) is written.
process.once('SIGTERM', () => void host.close());
