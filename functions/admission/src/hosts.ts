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
