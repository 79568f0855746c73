import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundle } from '../../../hack/bundle.ts';
import { sendPing } from '../../cluster/ping.ts';
import { freePort } from '../../cluster/ports.ts';
import { ManagedProcess, stopProcesses } from '../../cluster/processes.ts';
import { waitFor } from '../../cluster/wait.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';

const SPAN_KIND = { internal: 1, client: 3, consumer: 5 };

const traceparent = (sampled: boolean) => {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-${sampled ? '01' : '00'}` };
};

// The bundled server function with an OTLP endpoint configured: a resync sent with a W3C traceparent (as
// Knative delivers it) must show up at the tracing backend as part of the sender's trace, down to the
// requests the function made to the API server.
describe('tracing a bundled function', () => {
  const namespace = useNamespace('tracing');
  const kube = clients();
  let receiver: OtlpReceiver;
  let fn: ManagedProcess;
  let url: string;
  let dist: string;

  beforeAll(async () => {
    await installCrds(kube);
    receiver = await startOtlpReceiver();
    dist = await mkdtemp(path.join(os.tmpdir(), 'mcpg-traced-'));
    const entry = await bundle('server', dist);
    const port = await freePort();
    fn = ManagedProcess.start({
      name: `traced-server-${port}`,
      binary: process.execPath,
      args: [entry],
      logDir: dist,
      env: {
        KUBECONFIG: kube.kubeconfigPath,
        HOST: '127.0.0.1',
        PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      },
    });
    url = `http://127.0.0.1:${port}`;
    await waitFor(async () => ((await fetch(`${url}/health/readiness`)).ok ? true : undefined), {
      what: 'the traced server function',
      timeoutMs: 20_000,
      watch: [fn],
      log: fn.record.log,
    });
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'traced', namespace: namespace.name },
      spec: { image: 'ghcr.io/example/tools:1.0.0' },
    });
  });

  afterAll(async () => {
    await stopProcesses([fn.record]);
    await receiver.close();
    await rm(dist, { recursive: true, force: true });
  });

  const inTrace = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);

  it('continues the incoming trace: event span, one span per object, one per API request', async () => {
    const parent = traceparent(true);
    expect((await sendPing(url, { traceparent: parent.header })).status).toBe(204);

    const spans = await vi.waitFor(
      () => {
        const found = inTrace(parent.traceId);
        expect(found.some((s) => s.kind === SPAN_KIND.client)).toBe(true);
        return found;
      },
      { timeout: 15_000, interval: 200 },
    );
    const root = spans.find((s) => s.name === 'resync MCPGServer') as ReceivedSpan;
    expect(root).toMatchObject({
      parentSpanId: parent.parentId,
      kind: SPAN_KIND.consumer,
      service: 'mcpg-server',
    });
    expect(root.attributes['cloudevents.event_type']).toBe('dev.knative.sources.ping');
    expect(root.attributes['http.response.status_code']).toBe(204);

    const reconcile = spans.find(
      (s) =>
        s.name === 'reconcile MCPGServer' &&
        s.attributes['mcpg.object'] === `MCPGServer ${namespace.name}/traced`,
    );
    expect(reconcile).toMatchObject({ parentSpanId: root.spanId, kind: SPAN_KIND.internal });
    expect(['updated', 'unchanged']).toContain(reconcile?.attributes['mcpg.outcome']);

    const requests = spans.filter((s) => s.parentSpanId === reconcile?.spanId && s.kind === SPAN_KIND.client);
    // The resync lists the servers once; each pass reads its namespace's children (listed once, then shared).
    expect(spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name)).toContain(
      'GET mcpgservers',
    );
    expect(requests.map((s) => s.name)).toContain('GET deployments');
    for (const request of requests)
      expect(request.attributes['http.response.status_code']).toBeGreaterThan(0);

    const log = await readFile(fn.record.log, 'utf8');
    expect(log).toContain(`"trace":"${parent.traceId}"`);
  });

  it('records nothing for a trace the sender chose not to sample', async () => {
    const unsampled = traceparent(false);
    const sampled = traceparent(true);
    expect((await sendPing(url, { traceparent: unsampled.header })).status).toBe(204);
    expect((await sendPing(url, { traceparent: sampled.header })).status).toBe(204);
    // Spans are exported in order, so once the later trace has arrived the earlier one would have too.
    await vi.waitFor(
      () => {
        expect(inTrace(sampled.traceId).length).toBeGreaterThan(0);
      },
      {
        timeout: 15_000,
        interval: 200,
      },
    );
    expect(inTrace(unsampled.traceId)).toEqual([]);
  });

  it('keeps the tracing SDK out of the entry file, loaded only when tracing is on', async () => {
    const entry = await readFile(path.join(dist, 'function.mjs'), 'utf8');
    expect(entry).not.toContain('BatchSpanProcessor');
    const chunks = await readdir(path.join(dist, 'chunks'));
    const sdk = await Promise.all(
      chunks.filter((c) => c.endsWith('.mjs')).map((c) => readFile(path.join(dist, 'chunks', c), 'utf8')),
    );
    expect(sdk.some((text) => text.includes('BatchSpanProcessor'))).toBe(true);
  });
});
