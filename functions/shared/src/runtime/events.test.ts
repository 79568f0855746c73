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
    },
    {
      name: 'an unknown event type',
      headers: binary('com.example.thing'),
      body: '{}',
      message: /unsupported CloudEvent type "com.example.thing"/,
    },
    {
      name: 'an object event naming nothing',
      headers: binary('dev.knative.apiserver.resource.add'),
      body: '{}',
      message: /names no object/,
    },
    {
      name: 'a broken structured body',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: '{"specversion":',
      message: /^not a CloudEvent/,
    },
  ])('refuses $name as malformed', ({ headers, body, message }) => {
    expect(() => decodeEvent(headers, body)).toThrow(MalformedEventError);
    expect(() => decodeEvent(headers, body)).toThrow(message);
  });
});
