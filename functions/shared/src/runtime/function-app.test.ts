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
    const answer = await app.inject({ method: 'POST', url: '/', headers: ping, body: '' });
    expect(answer.status).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/health/readiness' })).status).toBe(503);
    expect(client.counts.reads).toBe(0);
  });
});

describe('an event that brings nothing new', () => {
  const update = (resourceVersion: string) => ({
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': `u-${resourceVersion}`,
    'ce-source': 'https://127.0.0.1',
    'ce-type': 'dev.knative.apiserver.resource.update',
  });
  const payload = (resourceVersion: string) =>
    JSON.stringify({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'tools', namespace: 'team-a', resourceVersion, generation: 1 },
      spec: { image: 'forged' },
    });

  it('is answered without a read when it names the status the function itself just wrote', async () => {
    const kind = findKind('MCPGServer');
    if (!kind) throw new Error('MCPGServer is a kind');
    const stored = {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'tools', namespace: 'team-a', resourceVersion: '5', generation: 1 },
    };
    const counts = { reads: 0, writes: 0 };
    const client = {
      counts,
      live: () => client,
      holds: () => false,
      hint: () => undefined,
      forget: () => undefined,
      get: () => {
        counts.reads += 1;
        return Promise.resolve(structuredClone(stored));
      },
      list: () => Promise.resolve([]),
      replaceStatus: (object: typeof stored) => {
        counts.writes += 1;
        return Promise.resolve({ ...object, metadata: { ...object.metadata, resourceVersion: '6' } });
      },
      create: () => Promise.resolve({}),
    } as unknown as ObjectClient;
    const log = createLogger('test', 'silent');
    const driver = new ReconcileDriver(
      {
        kind,
        childTypes: [],
        reconcile: () =>
          Promise.resolve({
            children: [],
            status: { phase: 'Running' },
            conditions: [{ type: 'Ready', status: 'True', reason: 'Running' }],
          }),
      },
      { client, log },
    );
    const app = createFunctionApp({ driver, logger: log, registry: new Registry() });
    const send = (version: string) =>
      app.inject({ method: 'POST', url: '/', headers: update(version), body: payload(version) });
    expect((await send('5')).status).toBe(204);
    expect(counts).toEqual({ reads: 1, writes: 1 });
    // The update event of its own status write (whatever its payload says), twice.
    expect((await send('6')).status).toBe(204);
    expect((await send('6')).status).toBe(204);
    expect(counts).toEqual({ reads: 1, writes: 1 });
  });
});

describe('an object event whose pass outlasts the hold', () => {
  it('is answered 204 at once, and the pass is counted and finished in the background', async () => {
    const kind = findKind('MCPGServer');
    if (!kind) throw new Error('MCPGServer is a kind');
    const stored = {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'slow', namespace: 'team-a', resourceVersion: '7', generation: 1 },
    };
    const client = {
      counts: { reads: 0, writes: 0 },
      live: () => client,
      holds: () => false,
      hint: () => undefined,
      forget: () => undefined,
      get: () => Promise.resolve(structuredClone(stored)),
      list: () => Promise.resolve([]),
      replaceStatus: (object: typeof stored) => Promise.resolve(object),
      create: () => Promise.resolve({}),
    } as unknown as ObjectClient;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const log = createLogger('test', 'silent');
    const driver = new ReconcileDriver(
      {
        kind,
        childTypes: [],
        reconcile: async () => {
          await gate;
          return {
            children: [],
            status: {},
            conditions: [{ type: 'Ready', status: 'True', reason: 'Running' }],
          };
        },
      },
      { client, log },
    );
    const registry = new Registry();
    const drain = new Drain();
    const app = createFunctionApp({ driver, logger: log, registry, drain, eventHoldMs: 0 });
    const passes = async () =>
      (await registry.getSingleMetric('mcpg_reconcile_total')?.get())?.values.reduce(
        (n, v) => n + v.value,
        0,
      );
    const answer = await app.inject({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'slow-1',
        'ce-source': 'https://127.0.0.1',
        'ce-type': 'dev.knative.apiserver.resource.add',
      },
      body: JSON.stringify(stored),
    });
    expect(answer.status).toBe(204);
    expect(await passes()).toBe(0);
    // SIGTERM now waits for the pass its answer took on.
    let stopped = false;
    const stopping = drain.stop(10_000).then((finished) => {
      stopped = finished;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(await passes()).toBe(1);
  });
});
