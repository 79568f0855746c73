import type { ClusterSpec } from './cluster.schema.ts';
import type { FieldError, ValidationResult } from './field-errors.ts';

/** Why a backend's settings would send traffic in plaintext, or undefined when they do not. */
export function plaintextTransport(spec: ClusterSpec): string | undefined {
  const config = spec.config ?? {};
  if (config.allow_insecure_transport === true) return undefined;
  const text = (key: string) => (typeof config[key] === 'string' ? config[key].trimStart() : undefined);
  switch (spec.backend) {
    case 'redis':
      return text('url')?.startsWith('redis://') ? 'config.url uses redis:// (use rediss://)' : undefined;
    case 'consul':
      return text('address')?.startsWith('http://')
        ? 'config.address uses http:// (use https://)'
        : undefined;
    case 'etcd':
      return insecureEtcdEndpoint(config.endpoints);
    case 'nats':
      return (config.tls as { require_tls?: unknown } | undefined)?.require_tls === false
        ? 'config.tls.require_tls is false'
        : undefined;
    default:
      return undefined;
  }
}

function insecureEtcdEndpoint(endpoints: unknown): string | undefined {
  if (!Array.isArray(endpoints)) return undefined;
  const plain = endpoints.find((e) => typeof e !== 'string' || !e.trimStart().startsWith('https://'));
  return plain === undefined ? undefined : `config.endpoints has ${JSON.stringify(plain)} (use https://)`;
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
