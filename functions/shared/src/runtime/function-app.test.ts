import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { findKind } from '../api/index.ts';
import type { ObjectClient } from '../kube/index.ts';
import { Drain } from './drain.ts';
import { ReconcileDriver } from './driver.ts';
import { createFunctionApp } from './function-app.ts';
import { createLogger } from './logger.ts';

const ping = {
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-id': 'p-1',
  'ce-source': '/apis/v1/namespaces/mcpg-system/pingsources/resync',
  'ce-type': 'dev.knative.sources.ping',
};

describe('a function shutting down', () => {
  it('answers new events 503 (retried elsewhere or later) and reports not ready', async () => {
    const kind = findKind('MCPGServer');
    if (!kind) throw new Error('MCPGServer is a kind');
    // Nothing reaches the API: a draining function refuses before any read.
    const client = { counts: { reads: 0, writes: 0 } } as unknown as ObjectClient;
    const log = createLogger('test', 'silent');
    const driver = new ReconcileDriver(
      { kind, childTypes: [], reconcile: () => Promise.reject(new Error('not called')) },
      { client, log },
    );
    const drain = new Drain();
    const app = createFunctionApp({ driver, logger: log, registry: new Registry(), drain });
    expect(await drain.stop(1_000)).toBe(true);
    const answer = await app.inject({ method: 'POST', url: '/', headers: ping, payload: '' });
    expect(answer.statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/health/readiness' })).statusCode).toBe(503);
    expect(client.counts.reads).toBe(0);
  });
});
