import { describe, expect, it } from 'vitest';
import { AddressRefused } from './connector.ts';
import { RegistryError } from './errors.ts';
import { connectionFailure } from './failure.ts';

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.7:5000`), { code });

describe('connection failures in words a tenant can act on', () => {
  it.each([
    { code: 'ECONNREFUSED', words: 'the connection was refused' },
    { code: 'ENOTFOUND', words: 'the host name does not resolve' },
    { code: 'UND_ERR_CONNECT_TIMEOUT', words: 'connecting timed out' },
    { code: 'UND_ERR_BODY_TIMEOUT', words: 'the transfer stalled' },
    { code: 'ECONNRESET', words: 'the connection broke' },
    { code: 'ERR_SSL_WRONG_VERSION_NUMBER', words: 'it does not speak TLS' },
    { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', words: 'its TLS certificate is not trusted' },
    { code: 'ESOMETHINGELSE', words: 'the connection failed' },
  ])('says $code as "$words", without the errno or the address', ({ code, words }) => {
    const error = connectionFailure(new Error('fetch failed', { cause: withCode(code) }), 'GET at ghcr.io');
    expect(error).toMatchObject({ code: 'Unreachable' });
    expect(error.message).toContain(words);
    expect(error.message).not.toContain(code);
    expect(error.message).not.toContain('10.0.0.7');
  });

  it('names a refused address by the name the object gave, never the address it resolved to', () => {
    const error = connectionFailure(
      new Error('x', { cause: new AddressRefused('registry.corp') }),
      'GET at registry.corp',
    );
    expect(error).toMatchObject({ code: 'Refused' });
    expect(error.message).toMatch(
      /registry\.corp resolves to a loopback, link-local, private or cluster-internal/,
    );
  });

  it('says the pass ran out of time once its deadline passed', () => {
    const signal = AbortSignal.abort();
    expect(connectionFailure(new Error('aborted'), 'GET at ghcr.io', signal)).toMatchObject({
      code: 'DeadlineExceeded',
    });
  });

  it('keeps a registry error found in the cause chain', () => {
    const known = new RegistryError('DigestMismatch', 'the bytes are not the digest');
    expect(connectionFailure(new Error('x', { cause: known }), 'y')).toBe(known);
  });
});
