/** Registry failures with a stable code, so callers choose a condition reason without parsing messages. */
export type RegistryErrorCode =
  'NotFound' | 'Unauthorized' | 'DigestMismatch' | 'TooLarge' | 'BadResponse' | 'Unreachable';

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
