import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiStatus, isNotFound } from './errors.ts';

describe('apiStatus', () => {
  it.each([
    {
      name: 'a 404 from the API',
      error: new ApiException(404, 'not found', '{}', {}),
      status: 404,
      notFound: true,
    },
    {
      name: 'a 409 conflict',
      error: new ApiException(409, 'conflict', '{}', {}),
      status: 409,
      notFound: false,
    },
    { name: 'a network error', error: new Error('ECONNREFUSED'), status: undefined, notFound: false },
    { name: 'a thrown string', error: 'boom', status: undefined, notFound: false },
    { name: 'null', error: null, status: undefined, notFound: false },
    { name: 'a non-numeric code', error: { code: 'ENOTFOUND' }, status: undefined, notFound: false },
  ])('reads $name', ({ error, status, notFound }) => {
    expect(apiStatus(error)).toBe(status);
    expect(isNotFound(error)).toBe(notFound);
  });
});
