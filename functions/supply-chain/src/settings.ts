/**
 * The supply-chain function's settings: the shared ones plus where trust material lives, size and count limits,
 * the time a pass may take, and where registries may be reached (network-policy.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { functionSettings } from '@mcpg-functions/shared/runtime';
import { commaList } from '@mcpg-functions/shared/workloads';
import type { ReadLimits } from './oci/client.ts';
import { internalAddresses, type NetworkPolicy } from './oci/network-policy.ts';
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

const cidrs = commaList('').refine(
  (ranges) => {
    try {
      internalAddresses(ranges);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be comma-separated CIDR ranges such as 10.96.0.0/12,10.244.0.0/16' },
);

const count = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

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
  /** Registries (host or host:port) that may resolve to loopback, link-local, private or cluster addresses. */
  MCPG_REGISTRY_PRIVATE_HOSTS: commaList(''),
  /** Registries (host or host:port) spoken to over plain HTTP. */
  MCPG_REGISTRY_INSECURE_HOSTS: commaList(''),
  /** Hosts besides a registry's own that may issue its bearer tokens. */
  MCPG_REGISTRY_TOKEN_HOSTS: commaList('auth.docker.io'),
  /** The cluster's Service and pod ranges, refused like private addresses. */
  MCPG_CLUSTER_CIDRS: cidrs,
  /** The longest one pass over one object may take, registry and API calls included. */
  MCPG_PASS_TIMEOUT_SECONDS: count(120, 3600),
  MCPG_REGISTRY_MAX_ENTRIES: count(64, 10_000),
  MCPG_REGISTRY_MAX_REFERRERS: count(128, 10_000),
  MCPG_REGISTRY_MAX_SIGNATURES: count(16, 1000),
  MCPG_REGISTRY_CONCURRENCY: count(4, 64),
  /** Sigstore trusted_root.json for keyless signatures, read once at start (no TUF: air-gapped clusters). */
  MCPG_SIGSTORE_TRUSTED_ROOT: z.string().optional(),
});

export interface SupplyChainSettings {
  operatorNamespace: string;
  packageBytes: number;
  registryEndpoints: Record<string, string>;
  network: NetworkPolicy;
  limits: ReadLimits;
  passSeconds: number;
  trustedRoot?: TrustedRoot | undefined;
}

type Environment = z.output<typeof supplyChainSettings>;

/** The operator's endpoints are reached wherever they point: naming one is allowing it. */
function networkPolicy(parsed: Environment): NetworkPolicy {
  const endpointHosts = Object.values(parsed.MCPG_REGISTRY_ENDPOINTS).map((url) => new URL(url).host);
  return {
    privateRegistries: [...parsed.MCPG_REGISTRY_PRIVATE_HOSTS, ...endpointHosts],
    insecureRegistries: parsed.MCPG_REGISTRY_INSECURE_HOSTS,
    clusterCidrs: parsed.MCPG_CLUSTER_CIDRS,
    tokenHosts: parsed.MCPG_REGISTRY_TOKEN_HOSTS,
  };
}

export function fromEnvironment(parsed: Environment): SupplyChainSettings {
  return {
    operatorNamespace: parsed.MCPG_OPERATOR_NAMESPACE,
    packageBytes: parsed.MCPG_PLUGIN_MAX_BYTES,
    registryEndpoints: parsed.MCPG_REGISTRY_ENDPOINTS,
    network: networkPolicy(parsed),
    limits: {
      manifestBytes: parsed.MCPG_MANIFEST_MAX_BYTES,
      entries: parsed.MCPG_REGISTRY_MAX_ENTRIES,
      referrers: parsed.MCPG_REGISTRY_MAX_REFERRERS,
      signatures: parsed.MCPG_REGISTRY_MAX_SIGNATURES,
      concurrency: parsed.MCPG_REGISTRY_CONCURRENCY,
    },
    passSeconds: parsed.MCPG_PASS_TIMEOUT_SECONDS,
    trustedRoot: parsed.MCPG_SIGSTORE_TRUSTED_ROOT
      ? parseTrustedRoot(readFileSync(parsed.MCPG_SIGSTORE_TRUSTED_ROOT, 'utf8'))
      : undefined,
  };
}
