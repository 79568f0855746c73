/**
 * A JSON request body, read the way a web framework's JSON parser would: only `application/json` (and plain
 * text, which reaches the route as a string), never an empty body, and never an object whose keys could replace
 * a prototype when a caller later merges it (`__proto__`, or `constructor` holding `prototype`).
 */
import { HttpError, mediaType, type HttpRequest } from './exchange.ts';

/** Keys that can only have been written to poison a merge; a `\u` escape may spell either. */
const MAYBE_POISONED = /__proto__|constructor|\\u/;

export function jsonBody(request: HttpRequest): unknown {
  const type = mediaType(request.headers['content-type']);
  if (type === 'text/plain') return request.body.toString('utf8');
  if (type !== 'application/json')
    throw new HttpError(415, `unsupported media type ${JSON.stringify(type)}: send application/json`);
  if (request.body.length === 0) throw new HttpError(400, 'the body is empty; a JSON document was expected');
  const text = request.body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (MAYBE_POISONED.test(text) && poisoned(value))
    throw new HttpError(
      400,
      'the body holds a forbidden prototype property (__proto__ or constructor.prototype)',
    );
  return value;
}

/** Walks the parsed document without recursion, so that a deeply nested body cannot exhaust the stack. */
function poisoned(document: unknown): boolean {
  const pending = [document];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (typeof value !== 'object' || value === null) continue;
    if (Object.hasOwn(value, '__proto__')) return true;
    const constructor: unknown = Object.hasOwn(value, 'constructor')
      ? (value as { constructor: unknown }).constructor
      : undefined;
    if (typeof constructor === 'object' && constructor !== null && Object.hasOwn(constructor, 'prototype'))
      return true;
    for (const member of Object.values(value)) pending.push(member);
  }
  return false;
}
