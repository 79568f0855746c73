/**
 * Which addresses the OCI client may connect to. A registry named in an object (a tenant's MCPGServer image or
 * registry override, a plugin reference) must not turn the function into a proxy into the cluster: loopback,
 * link-local, private, shared and reserved addresses and the cluster's own Service and pod ranges are refused
 * unless the operator names that registry. The check runs on the address a name resolves to, when the connection
 * is made (see connector.ts), so a name that resolves differently on a second lookup gains nothing.
 */
import { BlockList, isIP } from 'node:net';

export interface NetworkPolicy {
  /** Registries (`host` for every port, or `host:port`) that may resolve to internal addresses. */
  privateRegistries: readonly string[];
  /** Registries (`host` or `host:port`) spoken to over plain HTTP; every other one needs TLS. */
  insecureRegistries: readonly string[];
  /** The cluster's Service and pod ranges (CIDR), refused like private addresses. */
  clusterCidrs: readonly string[];
  /** Hosts besides the registry's own that may issue bearer tokens (Docker Hub's auth.docker.io). */
  tokenHosts: readonly string[];
}

export const OPEN_INTERNET_ONLY: NetworkPolicy = {
  privateRegistries: [],
  insecureRegistries: [],
  clusterCidrs: [],
  tokenHosts: [],
};

const INTERNAL_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
// IPv4-mapped IPv6 addresses are judged by the IPv4 address they carry (isInternal).
const INTERNAL_V6 = ['::/127', '64:ff9b:1::/48', 'fc00::/7', 'fe80::/10', 'ff00::/8'];

function addSubnet(list: BlockList, cidr: string): void {
  const [network = '', bits = ''] = cidr.split('/');
  const family = isIP(network);
  const prefix = Number(bits);
  if (family === 0 || !Number.isInteger(prefix) || bits === '')
    throw new Error(`"${cidr}" is not a CIDR range such as 10.96.0.0/12`);
  list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
}

/** The addresses no registry may resolve to unless the operator names it. */
export function internalAddresses(clusterCidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of [...INTERNAL_V4, ...INTERNAL_V6, ...clusterCidrs]) addSubnet(list, cidr);
  return list;
}

/** The IPv4 address an IPv4-mapped IPv6 address carries (`::ffff:a.b.c.d` or `::ffff:xxxx:xxxx`). */
function mappedV4(address: string): string | undefined {
  const match = /^(?:0*:)*:?ffff:(.+)$/i.exec(address);
  const tail = match?.[1];
  if (tail === undefined) return undefined;
  if (isIP(tail) === 4) return tail;
  const halves = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!halves) return undefined;
  const value = (parseInt(halves[1] ?? '0', 16) << 16) | parseInt(halves[2] ?? '0', 16);
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

export function isInternal(address: string, internal: BlockList): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return internal.check(address, 'ipv4');
  const v4 = mappedV4(address);
  return v4 !== undefined ? internal.check(v4, 'ipv4') : internal.check(address, 'ipv6');
}

/** `host:port` split, IPv6 brackets removed, the host lower-cased. */
export function splitHost(registry: string): { host: string; port: string | undefined } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(registry) ?? /^([^:]+)(?::(\d+))?$/.exec(registry);
  return { host: (match?.[1] ?? registry).toLowerCase(), port: match?.[2] };
}

/** Whether `list` names the registry at `host` and `port`: an entry without a port names every port. */
export function namesRegistry(list: readonly string[], host: string, port: string | undefined): boolean {
  const wanted = host.replace(/^\[|\]$/g, '').toLowerCase();
  return list.some((entry) => {
    const named = splitHost(entry);
    return named.host === wanted && (named.port === undefined || named.port === port);
  });
}

/** Whether the registry (`host[:port]`, as in a reference) is spoken to over plain HTTP. */
export function isInsecure(policy: NetworkPolicy, registry: string): boolean {
  const { host, port } = splitHost(registry);
  return namesRegistry(policy.insecureRegistries, host, port);
}
