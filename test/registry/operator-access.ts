/**
 * The operator settings that let the supply-chain function reach test registries on loopback: each one named
 * private (it resolves to a loopback address) and insecure (it speaks plain HTTP), as an operator would name an
 * in-cluster registry. Nothing else on loopback is reachable, which the security suite relies on.
 */
import {
  OPEN_INTERNET_ONLY,
  type NetworkPolicy,
} from '../../functions/supply-chain/src/oci/network-policy.ts';

export function loopbackRegistries(...hosts: string[]): Record<string, string> {
  return { MCPG_REGISTRY_PRIVATE_HOSTS: hosts.join(','), MCPG_REGISTRY_INSECURE_HOSTS: hosts.join(',') };
}

/** The same for an OCI client made directly: a network policy naming the loopback registries. */
export function loopbackNetwork(...hosts: string[]): NetworkPolicy {
  return { ...OPEN_INTERNET_ONLY, privateRegistries: hosts };
}
