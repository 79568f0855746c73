/** The host names an object asks an Ingress controller to serve, and when two of them meet. */

interface WithHosts {
  kind?: string;
  spec?: unknown;
}

type Loose = Record<string, unknown> | undefined;

function strings(values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Hosts of an Ingress (its rules), an MCPGServer (`spec.ingress.host`) or an MCPGGateway (`spec.ingress.hosts`). */
export function hostsServed(object: WithHosts): string[] {
  const spec = object.spec as Loose;
  if (object.kind === 'Ingress') {
    const rules = Array.isArray(spec?.rules) ? (spec.rules as Loose[]) : [];
    return strings(rules.map((r) => r?.host));
  }
  const ingress = spec?.ingress as Loose;
  if (object.kind === 'MCPGServer') return strings([ingress?.host]);
  if (object.kind === 'MCPGGateway') {
    const hosts = Array.isArray(ingress?.hosts) ? (ingress.hosts as Loose[]) : [];
    return strings(hosts.map((h) => h?.host));
  }
  return [];
}

/** `*.example.com` covers `a.example.com` (one label, as Ingress wildcards do) but not `example.com`. */
function covers(wildcard: string, host: string): boolean {
  if (!wildcard.startsWith('*.')) return false;
  const suffix = wildcard.slice(1);
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
}

export function hostsOverlap(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x === y || covers(x, y) || covers(y, x);
}

/** An object's claim on hosts: who asks, since when. */
export interface HostClaim {
  kind: string;
  namespace: string;
  name: string;
  creationTimestamp?: string | undefined;
  hosts: string[];
}

interface Claimant {
  kind?: string;
  metadata?: { namespace?: string; name?: string; creationTimestamp?: string | Date };
  spec?: unknown;
}

export function claimOf(object: Claimant): HostClaim {
  const created = object.metadata?.creationTimestamp;
  return {
    kind: object.kind ?? '',
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    creationTimestamp: created === undefined ? undefined : new Date(created).toISOString(),
    hosts: hostsServed(object),
  };
}

const identity = (c: HostClaim) => `${c.kind}/${c.namespace}/${c.name}`;

/**
 * The older claim first: by creation time, then by kind, namespace and name, so that two objects created in the
 * same second are ordered the same way on every pass and in every replica.
 */
function olderFirst(a: HostClaim, b: HostClaim): number {
  const [x, y] = [a.creationTimestamp ?? '', b.creationTimestamp ?? ''];
  if (x !== y) return x < y ? -1 : 1;
  return identity(a) < identity(b) ? -1 : identity(a) > identity(b) ? 1 : 0;
}

/**
 * The hosts `mine` asks for that an older claim in another namespace holds, each with that claim: the oldest
 * claim on a host serves it, so of two objects asking for one host at once exactly one gets it.
 */
export function hostsHeldElsewhere(
  mine: HostClaim,
  others: readonly HostClaim[],
): { host: string; holder: HostClaim }[] {
  return mine.hosts.flatMap((host) => {
    const holder = others
      .filter((o) => o.namespace !== mine.namespace && olderFirst(o, mine) < 0)
      .filter((o) => o.hosts.some((h) => hostsOverlap(h, host)))
      .sort(olderFirst)[0];
    return holder ? [{ host, holder }] : [];
  });
}
