/** The supply-chain function's settings: the shared ones plus where trust material lives and size limits. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { functionSettings } from '@mcpg-functions/shared/runtime';
import { parseTrustedRoot, type TrustedRoot } from './verify/trusted-root.ts';

const endpoints = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return z.record(z.string(), z.url()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of registry host → base URL' });
      return z.NEVER;
    }
  });

export const supplyChainSettings = functionSettings.extend({
  /** Namespace holding pull secrets, signing keys and provenance ConfigMaps. */
  MCPG_OPERATOR_NAMESPACE: z.string().min(1).default('mcpg-system'),
  /** Largest plugin package accepted; the binary is verified in memory. */
  MCPG_PLUGIN_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024),
  MCPG_MANIFEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** Registry host → base URL to connect to instead (a mirror reached through a port-forward, a test bed). */
  MCPG_REGISTRY_ENDPOINTS: endpoints,
  /** Sigstore trusted_root.json for keyless signatures, read once at start (no TUF: air-gapped clusters). */
  MCPG_SIGSTORE_TRUSTED_ROOT: z.string().optional(),
});

export interface SupplyChainSettings {
  operatorNamespace: string;
  packageBytes: number;
  manifestBytes: number;
  registryEndpoints: Record<string, string>;
  trustedRoot?: TrustedRoot | undefined;
}

export function fromEnvironment(parsed: z.output<typeof supplyChainSettings>): SupplyChainSettings {
  return {
    operatorNamespace: parsed.MCPG_OPERATOR_NAMESPACE,
    packageBytes: parsed.MCPG_PLUGIN_MAX_BYTES,
    manifestBytes: parsed.MCPG_MANIFEST_MAX_BYTES,
    registryEndpoints: parsed.MCPG_REGISTRY_ENDPOINTS,
    trustedRoot: parsed.MCPG_SIGSTORE_TRUSTED_ROOT
      ? parseTrustedRoot(readFileSync(parsed.MCPG_SIGSTORE_TRUSTED_ROOT, 'utf8'))
      : undefined,
  };
}
