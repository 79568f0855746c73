/**
 * The OCI client's connections: an undici dispatcher whose connector resolves each host itself and refuses an
 * internal address (network-policy.ts) before any byte is sent, unless the operator names that registry. Every
 * address a name resolves to must pass, so a name answering with one public and one internal address is refused.
 * undici is loaded when the first dispatcher is made, not at start: a pass that never reaches a registry never
 * parses it.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Agent } from './undici-parts.ts';
import { internalAddresses, isInternal, namesRegistry, type NetworkPolicy } from './network-policy.ts';

/** A connection the policy refused; carries no address, so it can be shown to whoever named the host. */
export class AddressRefused extends Error {
  readonly host: string;

  constructor(host: string) {
    super(`${host} resolves to an internal address`);
    this.name = 'AddressRefused';
    this.host = host;
  }
}

async function addressesOf(hostname: string): Promise<string[]> {
  if (isIP(hostname) !== 0) return [hostname];
  return (await lookup(hostname, { all: true })).map((entry) => entry.address);
}

/** A dispatcher that connects only where `policy` allows; one per function, its pool shared by every pass. */
export async function guardedDispatcher(policy: NetworkPolicy): Promise<Agent> {
  const { Agent, buildConnector } = await import('./undici-parts.ts');
  const internal = internalAddresses(policy.clusterCidrs);
  const connect = buildConnector({});
  return new Agent({
    connect: (options, callback) => {
      const hostname = options.hostname.replace(/^\[|\]$/g, '');
      const port = options.port || (options.protocol === 'https:' ? '443' : '80');
      if (namesRegistry(policy.privateRegistries, hostname, port)) {
        connect(options, callback);
        return;
      }
      addressesOf(hostname).then(
        (addresses) => {
          const [first] = addresses;
          if (first === undefined || addresses.some((address) => isInternal(address, internal))) {
            callback(new AddressRefused(hostname), null);
            return;
          }
          // The resolved address is what gets connected to; TLS still checks the certificate for the name.
          connect({ ...options, hostname: first }, callback);
        },
        (error: unknown) => {
          callback(error as Error, null);
        },
      );
    },
  });
}
