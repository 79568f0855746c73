import { describe, expect, it } from 'vitest';
import { redirectTarget } from './transport.ts';

describe('where a blob download may be redirected', () => {
  it.each([
    {
      from: 'https://ghcr.io/v2/a/blobs/x',
      location: 'https://storage.example/blob?sig=1',
      to: 'https://storage.example/blob?sig=1',
    },
    { from: 'https://ghcr.io/v2/a/blobs/x', location: '/v2/a/blobs/y', to: 'https://ghcr.io/v2/a/blobs/y' },
    {
      from: 'http://registry.internal:5000/v2/a/blobs/x',
      location: 'http://registry.internal:5000/b',
      to: 'http://registry.internal:5000/b',
    },
  ])('follows $location from $from', ({ from, location, to }) => {
    expect(redirectTarget(location, new URL(from)).toString()).toBe(to);
  });

  it.each([
    {
      from: 'https://ghcr.io/v2/a/blobs/x',
      location: 'http://storage.example/blob',
      why: /from HTTPS to plain HTTP/,
    },
    { from: 'https://ghcr.io/v2/a/blobs/x', location: 'file:///etc/passwd', why: /not HTTP\(S\)/ },
    { from: 'https://ghcr.io/v2/a/blobs/x', location: 'gopher://127.0.0.1:6379/_', why: /not HTTP\(S\)/ },
  ])('refuses $location', ({ from, location, why }) => {
    expect(() => redirectTarget(location, new URL(from))).toThrow(why);
  });
});
