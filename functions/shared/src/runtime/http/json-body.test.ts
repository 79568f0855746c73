import { describe, expect, it } from 'vitest';
import { HttpError } from './exchange.ts';
import { jsonBody } from './json-body.ts';

const request = (body: string, type = 'application/json') => ({
  method: 'POST',
  path: '/',
  headers: { 'content-type': type },
  body: Buffer.from(body),
});

function refusal(body: string, type?: string): { status: number; message: string } {
  try {
    jsonBody(request(body, type));
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('jsonBody', () => {
  it('parses JSON, with or without a charset, and hands plain text over as a string', () => {
    expect(jsonBody(request('{"a":[1,{"constructor":"x"}]}'))).toEqual({ a: [1, { constructor: 'x' }] });
    expect(jsonBody(request('[]', 'Application/JSON; charset=utf-8'))).toEqual([]);
    expect(jsonBody(request('hello', 'text/plain; charset=utf-8'))).toBe('hello');
  });

  it.each([
    {
      name: 'another media type',
      body: '<x/>',
      type: 'application/xml',
      status: 415,
      says: /application\/xml/,
    },
    { name: 'no media type', body: '{}', type: '', status: 415, says: /send application\/json/ },
    { name: 'an empty body', body: '', type: undefined, status: 400, says: /empty/ },
    { name: 'broken JSON', body: '{"a":', type: undefined, status: 400, says: /not valid JSON/ },
    {
      name: 'a __proto__ key',
      body: '{"a":{"__proto__":{"x":1}}}',
      type: undefined,
      status: 400,
      says: /__proto__/,
    },
    {
      name: 'an escaped __proto__ key',
      body: '[{"\\u005f_proto__":{}}]',
      type: undefined,
      status: 400,
      says: /__proto__/,
    },
    {
      name: 'constructor.prototype',
      body: '{"constructor":{"prototype":{"x":1}}}',
      type: undefined,
      status: 400,
      says: /constructor\.prototype/,
    },
  ])('refuses $name with $status', ({ body, type, status, says }) => {
    const answer = refusal(body, type);
    expect(answer.status).toBe(status);
    expect(answer.message).toMatch(says);
  });

  it('walks a deeply nested body without exhausting the stack', () => {
    const depth = 100_000;
    const body = `${'['.repeat(depth)}"constructor"${']'.repeat(depth)}`;
    expect(() => jsonBody(request(body))).not.toThrow(RangeError);
  });
});
