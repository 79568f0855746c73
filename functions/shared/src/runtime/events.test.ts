import { describe, expect, it } from 'vitest';
import { decodeEvent, MalformedEventError } from './events.ts';

const binary = (type: string, extensions: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-id': 'id-1',
  'ce-source': 'https://127.0.0.1:6443',
  'ce-type': type,
  ...Object.fromEntries(Object.entries(extensions).map(([k, v]) => [`ce-${k}`, v])),
});

describe('decodeEvent', () => {
  it('reads an ApiServerSource Resource-mode event: the object and its owners', () => {
    const body = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'tools',
        namespace: 'team-a',
        labels: { 'mcpg.dev/mcpgserver': 'tools' },
        ownerReferences: [
          { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer', name: 'tools', controller: true },
        ],
      },
    });
    const headers = binary('dev.knative.apiserver.resource.update', {
      apiversion: 'apps/v1',
      kind: 'Deployment',
      name: 'tools',
      namespace: 'team-a',
    });
    const { poke, traceparent } = decodeEvent(
      { ...headers, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      body,
    );
    expect(traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(poke).toEqual({
      kind: 'object',
      key: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'tools', namespace: 'team-a' },
      ownerReferences: [
        { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGServer', name: 'tools', controller: true },
      ],
      labels: { 'mcpg.dev/mcpgserver': 'tools' },
    });
  });

  it('reads a Reference-mode event for a cluster-scoped object (empty namespace extension)', () => {
    const headers = binary('dev.knative.apiserver.ref.add', {
      apiversion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGTenant',
      name: 'team-a',
      namespace: '',
    });
    const body = JSON.stringify({ kind: 'MCPGTenant', name: 'team-a', apiVersion: 'mcpg.dev/v1alpha2' });
    expect(decodeEvent(headers, body).poke).toMatchObject({
      kind: 'object',
      key: { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGTenant', name: 'team-a', namespace: undefined },
    });
  });

  it.each([
    {
      data: { kind: 'MCPGServer', limit: 500 },
      shard: { kind: 'MCPGServer', limit: 500, continue: undefined },
    },
    {
      data: { kind: 'MCPGServer', limit: 20, continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ' },
      shard: { kind: 'MCPGServer', limit: 20, continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ' },
    },
    {
      data: { kind: 'MCPGServer', limit: 20, until: '2026-12-06T22:00:00.000Z' },
      shard: { kind: 'MCPGServer', limit: 20, until: '2026-12-06T22:00:00.000Z', continue: undefined },
    },
  ])('reads a resync shard naming $data.kind', ({ data, shard }) => {
    expect(decodeEvent(binary('dev.mcpg.resync.shard'), JSON.stringify(data)).poke).toEqual({
      kind: 'shard',
      shard,
    });
  });

  it.each([
    { name: 'no kind', data: { limit: 10 }, message: /kind/ },
    {
      name: 'a kind that is not one',
      data: { kind: 'mcpgservers', limit: 10 },
      message: /kind: names a kind/,
    },
    { name: 'no page size', data: { kind: 'MCPGServer' }, message: /limit/ },
    { name: 'a page over 500', data: { kind: 'MCPGServer', limit: 501 }, message: /limit/ },
    {
      name: 'a token that is not one',
      data: { kind: 'MCPGServer', limit: 5, continue: 'x'.repeat(5000) },
      message: /continue/,
    },
    { name: 'no data', data: '', message: /not a resync shard/ },
    {
      name: 'a deadline that is no time',
      data: { kind: 'MCPGServer', limit: 5, until: 'soon' },
      message: /until/,
    },
  ])('refuses a resync shard with $name, as data', ({ data, message }) => {
    const decode = () =>
      decodeEvent(binary('dev.mcpg.resync.shard'), typeof data === 'string' ? data : JSON.stringify(data));
    expect(decode).toThrow(message);
    expect(decode).toThrow(expect.objectContaining({ reason: 'data' }));
  });

  it('reads a structured-mode event and a ping', () => {
    const structured = JSON.stringify({
      specversion: '1.0',
      id: 'x',
      source: 's',
      type: 'dev.knative.apiserver.resource.delete',
      datacontenttype: 'application/json',
      data: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'team-a' } },
    });
    expect(decodeEvent({ 'content-type': 'application/cloudevents+json' }, structured).poke).toMatchObject({
      key: { apiVersion: 'v1', kind: 'Secret', name: 'token', namespace: 'team-a' },
    });
    expect(decodeEvent(binary('dev.knative.sources.ping'), '{}').poke).toEqual({ kind: 'resync' });
  });

  it.each([
    {
      name: 'a plain JSON request',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      message: /^not a CloudEvent/,
      reason: 'not-an-event',
    },
    {
      name: 'an unknown event type',
      headers: binary('com.example.thing'),
      body: '{}',
      message: /unsupported CloudEvent type "com.example.thing"/,
      reason: 'unsupported-type',
    },
    {
      name: 'an object event whose data names nothing',
      headers: binary('dev.knative.apiserver.resource.add'),
      body: '{}',
      message: /cannot name an object: a dev.knative.apiserver.resource.add event carries an object with/,
      reason: 'data',
    },
    {
      name: 'an object event with an empty body',
      headers: binary('dev.knative.apiserver.resource.update', {
        apiversion: 'v1',
        kind: 'Secret',
        name: 'a',
      }),
      body: '',
      message: /the body is empty/,
      reason: 'data',
    },
    {
      name: 'an object event whose data is a JSON array',
      headers: binary('dev.knative.apiserver.resource.update'),
      body: '[{"kind":"Secret"}]',
      message: /must be a JSON object, got an array/,
      reason: 'data',
    },
    {
      name: 'an object event whose data is a JSON string',
      headers: binary('dev.knative.apiserver.ref.update'),
      body: '"Secret/a"',
      message: /must be a JSON object, got string/,
      reason: 'data',
    },
    {
      name: 'an object of another kind than the event says',
      headers: binary('dev.knative.apiserver.resource.update', {
        apiversion: 'v1',
        kind: 'Secret',
        name: 'a',
      }),
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
      message: /the kind attribute says Secret but the data holds ConfigMap/,
      reason: 'data',
    },
    {
      name: 'a Reference-mode event carrying a whole object instead of a reference',
      headers: binary('dev.knative.apiserver.ref.add'),
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' } }),
      message: /carries an object with apiVersion, kind and name/,
      reason: 'data',
    },
    {
      name: 'an attribute name with an underscore',
      headers: { ...binary('dev.knative.sources.ping'), 'ce-trace_id': 'x' },
      body: '',
      message: /attribute name "trace_id" is not allowed/,
      reason: 'attribute-name',
    },
    {
      name: 'a structured attribute name with capitals',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: '1',
        source: 's',
        type: 'dev.knative.sources.ping',
        Kind: 'x',
      }),
      message: /attribute name "Kind" is not allowed/,
      reason: 'attribute-name',
    },
    {
      name: 'a time that is not RFC 3339',
      headers: { ...binary('dev.knative.sources.ping'), 'ce-time': 'Tue, 01 Dec 2026 10:00:00 GMT' },
      body: '',
      message: /time must be an RFC 3339 timestamp/,
      reason: 'attribute-value',
    },
    {
      name: 'an empty source',
      headers: { ...binary('dev.knative.sources.ping'), 'ce-source': '' },
      body: '',
      message: /"source" is missing or empty/,
      reason: 'attribute-value',
    },
    {
      name: 'an empty id',
      headers: { ...binary('dev.knative.sources.ping'), 'ce-id': '' },
      body: '',
      message: /"id" is missing or empty/,
      reason: 'attribute-value',
    },
    {
      name: 'specversion 0.3',
      headers: { ...binary('dev.knative.sources.ping'), 'ce-specversion': '0.3' },
      body: '',
      message: /specversion must be "1.0"/,
      reason: 'attribute-value',
    },
    {
      name: 'a broken structured body',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: '{"specversion":',
      message: /^not a CloudEvent/,
      reason: 'not-an-event',
    },
  ])('refuses $name as malformed', ({ headers, body, message, reason }) => {
    expect(() => decodeEvent(headers, body)).toThrow(MalformedEventError);
    expect(() => decodeEvent(headers, body)).toThrow(message);
    expect(() => decodeEvent(headers, body)).toThrow(expect.objectContaining({ reason }));
  });

  it('takes a time with an offset and fractions, and a ping without data', () => {
    const headers = { ...binary('dev.knative.sources.ping'), 'ce-time': '2026-12-01T10:00:00.123+01:00' };
    expect(decodeEvent(headers, '').poke).toEqual({ kind: 'resync' });
  });
});
