import type { ClusterSpec } from './cluster.schema.ts';
import type { FieldError, ValidationResult } from './field-errors.ts';

type BackendConfig = Record<string, unknown>;

function startsWith(config: BackendConfig, key: string, scheme: string): boolean {
  const value = config[key];
  return typeof value === 'string' && value.trimStart().startsWith(scheme);
}

function insecureEtcdEndpoint(config: BackendConfig): string | undefined {
  const endpoints: unknown = config.endpoints;
  if (!Array.isArray(endpoints)) return undefined;
  const plain: unknown = endpoints.find(
    (e) => typeof e !== 'string' || !e.trimStart().startsWith('https://'),
  );
  return plain === undefined ? undefined : `config.endpoints has ${JSON.stringify(plain)} (use https://)`;
}

/** Per backend: why its settings would send traffic in plaintext, or undefined. */
const PLAINTEXT_CHECKS: Partial<
  Record<ClusterSpec['backend'], (config: BackendConfig) => string | undefined>
> = {
  redis: (c) => (startsWith(c, 'url', 'redis://') ? 'config.url uses redis:// (use rediss://)' : undefined),
  consul: (c) =>
    startsWith(c, 'address', 'http://') ? 'config.address uses http:// (use https://)' : undefined,
  etcd: insecureEtcdEndpoint,
  nats: (c) =>
    (c.tls as { require_tls?: unknown } | undefined)?.require_tls === false
      ? 'config.tls.require_tls is false'
      : undefined,
};

/** Why a backend's settings would send traffic in plaintext, or undefined when they do not. */
export function plaintextTransport(spec: ClusterSpec): string | undefined {
  const config = spec.config ?? {};
  if (config.allow_insecure_transport === true) return undefined;
  return PLAINTEXT_CHECKS[spec.backend]?.(config);
}

export function validateClusterSpec(spec: ClusterSpec): ValidationResult {
  const errors: FieldError[] = [];
  const size = Object.keys(spec.config ?? {}).length;
  if (spec.backend === 'single_node' && size > 0) {
    errors.push({ path: 'spec.config', message: 'must be empty for the single_node backend; remove it' });
  }
  if (spec.backend !== 'single_node' && size === 0) {
    errors.push({ path: 'spec.config', message: `is required for the ${spec.backend} backend` });
  }
  const plaintext = plaintextTransport(spec);
  if (plaintext) {
    errors.push({
      path: 'spec.config',
      message: `would send coordination traffic in plaintext: ${plaintext}, or set allow_insecure_transport: true`,
    });
  }
  return { errors, warnings: [] };
}
