/**
 * Connection failures as a tenant may read them: what went wrong in words, never the errno, the address the
 * name resolved to or the endpoint the operator configured.
 */
import { AddressRefused } from './connector.ts';
import { RegistryError } from './errors.ts';

const WORDS: [RegExp, string][] = [
  [/^ECONNREFUSED$/, 'the connection was refused'],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME)$/, 'the host name does not resolve'],
  [/^(UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT|ECONNABORTED)$/, 'connecting timed out'],
  [/^UND_ERR_HEADERS_TIMEOUT$/, 'it did not answer in time'],
  [/^UND_ERR_BODY_TIMEOUT$/, 'the transfer stalled'],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/, 'the connection broke'],
  [
    /^(EPROTO|ERR_SSL_WRONG_VERSION_NUMBER)$/,
    'it does not speak TLS (the operator marks plain-HTTP registries)',
  ],
  [/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/, 'its TLS certificate is not trusted'],
];

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let at = error;
    at !== undefined && at !== null && chain.length < 8;
    at = (at as { cause?: unknown }).cause
  )
    chain.push(at);
  return chain;
}

function codeOf(error: unknown): string {
  for (const link of causes(error)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

/**
 * The registry error for a request that failed before an answer, or while its body flowed. Only the pass's
 * deadline aborts requests, so an abort is the deadline.
 */
export function connectionFailure(error: unknown, what: string, signal?: AbortSignal): RegistryError {
  const chain = causes(error);
  const known = chain.find((link): link is RegistryError => link instanceof RegistryError);
  if (known) return known;
  const refused = chain.find((link): link is AddressRefused => link instanceof AddressRefused);
  if (refused)
    return new RegistryError(
      'Refused',
      `${what}: ${refused.host} resolves to a loopback, link-local, private or cluster-internal address, which this function does not connect to unless the operator allows that registry`,
      { cause: error },
    );
  const aborted = chain.some((link) =>
    ['AbortError', 'TimeoutError'].includes(String((link as { name?: unknown }).name)),
  );
  if (signal?.aborted || aborted || codeOf(error) === 'UND_ERR_ABORTED')
    return new RegistryError('DeadlineExceeded', `${what}: not finished within the time a pass may take`, {
      cause: error,
    });
  const code = codeOf(error);
  const words = WORDS.find(([pattern]) => pattern.test(code))?.[1] ?? 'the connection failed';
  return new RegistryError('Unreachable', `${what} failed: ${words}`, { cause: error });
}
