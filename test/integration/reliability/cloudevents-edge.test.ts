import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { clients, useNamespace } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { startFunction, type RunningFunction } from '../support/function-process.ts';

const ce = (type: string, more: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-id': 'edge-1',
  'ce-source': '/apis/v1/namespaces/mcpg-system/apiserversources/server',
  'ce-type': type,
  ...more,
});

// What breaks CloudEvents 1.0 is answered 400 (which no source or broker retries) and counted by reason,
// through the server function's real HTTP server; a valid event for an object that does not exist is done.
describe('the CloudEvents edge of a function', () => {
  const namespace = useNamespace('ce-edge');
  const kube = clients();
  let fn: RunningFunction;
  const post = (headers: Record<string, string>, body: string) =>
    fetch(`${fn.url}/`, { method: 'POST', headers, body }).then((r) => r.status);

  beforeAll(async () => {
    await installCrds(kube);
    fn = await startFunction('server', {
      kubeconfig: kube.kubeconfigPath,
      logDir: path.join(inject('clusterRunDir'), 'logs'),
    });
  });

  afterAll(async () => {
    await fn.stop();
  });

  it.each([
    {
      name: 'an attribute name with a dash',
      headers: ce('dev.knative.sources.ping', { 'ce-trace-id': 'x' }),
      body: '',
      reason: 'attribute-name',
    },
    {
      name: 'a time that is not RFC 3339',
      headers: ce('dev.knative.sources.ping', { 'ce-time': 'yesterday' }),
      body: '',
      reason: 'attribute-value',
    },
    {
      name: 'an empty source',
      headers: ce('dev.knative.sources.ping', { 'ce-source': '' }),
      body: '',
      reason: 'attribute-value',
    },
    {
      name: 'an object event with an empty body',
      headers: ce('dev.knative.apiserver.resource.update'),
      body: '',
      reason: 'data',
    },
    {
      name: 'data that is a JSON number',
      headers: ce('dev.knative.apiserver.resource.update'),
      body: '42',
      reason: 'data',
    },
    {
      name: 'an object of the wrong kind for the event',
      headers: ce('dev.knative.apiserver.resource.update', { 'ce-kind': 'MCPGServer' }),
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'y' } }),
      reason: 'data',
    },
  ])('refuses $name with 400 and counts it', async ({ headers, body, reason }) => {
    const before = await fn.metric('mcpg_events_refused_total', { reason });
    expect(await post(headers, body)).toBe(400);
    expect(await fn.metric('mcpg_events_refused_total', { reason })).toBe(before + 1);
  });

  it('answers 204 to a valid event for an object that does not exist', async () => {
    const object = {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name: 'never-existed', namespace: namespace.name },
    };
    expect(await post(ce('dev.knative.apiserver.resource.delete'), JSON.stringify(object))).toBe(204);
    // The 204 may come before the pass that finds it gone ends (the reply contract's hold).
    await vi.waitFor(
      async () => {
        expect(
          await fn.metric('mcpg_reconcile_total', { kind: 'MCPGServer', outcome: 'gone' }),
        ).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});
