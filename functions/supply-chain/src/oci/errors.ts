/**
 * Registry failures with a stable code, so callers choose a condition reason without parsing messages. Messages
 * end up in status that tenants read: they name the registry and what to do, never an internal address, an
 * errno or the answer of a host the tenant did not name.
 */
export type RegistryErrorCode =
  | 'NotFound'
  | 'Unauthorized'
  | 'DigestMismatch'
  | 'TooLarge'
  | 'BadResponse'
  | 'Unreachable'
  | 'Refused'
  | 'DeadlineExceeded';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;

  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
    this.code = code;
  }
}

export function registryErrorCode(error: unknown): RegistryErrorCode | undefined {
  return error instanceof RegistryError ? error.code : undefined;
}

/** The condition reason a failed pull gets: what the tenant can tell apart and act on. */
export type PullFailureReason = 'DigestMismatch' | 'TooLarge' | 'RegistryRefused' | 'PullFailed';

export function pullFailureReason(error: RegistryError): PullFailureReason {
  switch (error.code) {
    case 'DigestMismatch':
    case 'TooLarge':
      return error.code;
    case 'Refused':
      return 'RegistryRefused';
    default:
      return 'PullFailed';
  }
}
