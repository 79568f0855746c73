import { CloudEvent as SdkEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { eventFromHttp } from './cloudevent-http.ts';

const sdkEvent = new SdkEvent({
  id: 'e-1',
  source: '/apis/v1/namespaces/team-a/apiserversources/mcpg',
  type: 'dev.knative.apiserver.resource.update',
  datacontenttype: 'application/json',
  data: { kind: 'MCPGServer', metadata: { name: 'tools', namespace: 'team-a' } },
  kind: 'MCPGServer',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});

function asRequest(message: { headers: Record<string, unknown>; body: unknown }) {
  const headers = Object.fromEntries(
    Object.entries(message.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return { headers, body: String(message.body) };
}

describe('decoding CloudEvents from HTTP', () => {
  it.each([
    ['binary', HTTP.binary(sdkEvent)],
    ['structured', HTTP.structured(sdkEvent)],
  ])('reads what the CloudEvents SDK sends in %s mode', (_mode, message) => {
    const { headers, body } = asRequest(message);
    expect(eventFromHttp(headers, body)).toMatchObject({
      specversion: '1.0',
      id: 'e-1',
      type: 'dev.knative.apiserver.resource.update',
      kind: 'MCPGServer',
      traceparent: sdkEvent.traceparent,
      data: { metadata: { name: 'tools', namespace: 'team-a' } },
    });
  });

  it('percent-decodes binary-mode header values and decodes data_base64', () => {
    const binary = eventFromHttp(
      { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': 's', 'ce-type': 't', 'ce-name': 'caf%C3%A9' },
      '',
    );
    expect(binary.name).toBe('café');
    expect(binary.data).toBeUndefined();
    const structured = eventFromHttp(
      { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't', data_base64: 'aGk=' }),
    );
    expect(String(structured.data)).toBe('hi');
  });

  it.each([
    [{ 'content-type': 'application/json' }, '{}', 'neither a binary-mode event'],
    [
      { 'ce-specversion': '0.3', 'ce-id': '1', 'ce-source': 's', 'ce-type': 't' },
      '',
      'specversion must be "1.0"',
    ],
    [{ 'ce-specversion': '1.0', 'ce-source': 's', 'ce-type': 't' }, '', '"id" is missing or empty'],
    [
      {
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': 's',
        'ce-type': 't',
        'content-type': 'application/json',
      },
      '{"truncated":',
      'the event data is not valid JSON',
    ],
    [{ 'content-type': 'application/cloudevents+json' }, '[1]', 'must be a JSON object'],
    [{ 'content-type': 'application/cloudevents+json' }, 'nope', 'the structured event is not valid JSON'],
    [{ 'content-type': 'application/cloudevents-batch+json' }, '[]', 'batched events are not supported'],
    [
      { 'content-type': 'application/cloudevents+json' },
      '{"specversion":"1.0","id":"1","source":"s","type":"t","data":{},"data_base64":"aGk="}',
      'either data or data_base64, not both',
    ],
    [
      { 'content-type': 'application/cloudevents+json' },
      '{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"not base64!"}',
      'data_base64 must be a base64 string',
    ],
    [
      { 'content-type': 'application/cloudevents+json' },
      '{"specversion":"1.0","id":"1","source":"s","type":"t","subject":""}',
      '"subject", when present, must be a non-empty string',
    ],
    [
      { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': 's', 'ce-type': 't', 'ce-dataschema': '' },
      '',
      '"dataschema", when present, must be a non-empty string',
    ],
  ])('refuses %j %s, saying why', (headers, body, message) => {
    expect(() => eventFromHttp(headers, body)).toThrow(message);
  });
});
