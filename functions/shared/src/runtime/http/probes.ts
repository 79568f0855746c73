/** The endpoints Kubernetes and Prometheus call on every function: liveness, readiness and /metrics. */
import type { Registry } from 'prom-client';
import { jsonReply } from './exchange.ts';
import type { HttpHost } from './host.ts';

export function addProbes(
  host: HttpHost,
  options: { registry: Registry; isReady?: (() => boolean) | undefined },
): void {
  host.route('GET', '/health/liveness', () => jsonReply(200, { status: 'ok' }));
  host.route('GET', '/health/readiness', () => {
    const ready = options.isReady?.() ?? true;
    return jsonReply(ready ? 200 : 503, { status: ready ? 'ready' : 'starting' });
  });
  host.route('GET', '/metrics', async () => ({
    status: 200,
    headers: { 'content-type': options.registry.contentType },
    body: await options.registry.metrics(),
  }));
}
