/**
 * Who asked the API server for what, counted by the API server itself. `apiserver_request_total` has no user
 * label, so each identity under test gets API Priority and Fairness FlowSchemas of its own: one per verb, each
 * matching only that identity's ServiceAccounts, plus one for its Event writes matched first. The API server
 * then counts every request it dispatches for them in `apiserver_flowcontrol_dispatched_requests_total`, by
 * FlowSchema. The schemas send the requests to the priority level that ServiceAccounts get anyway
 * (workload-low), so the accounting does not change how they are served.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import type { ControlPlaneState } from '../cluster/control-plane.ts';
import { httpsGet } from '../cluster/https-probe.ts';
import { growth, parseSamples, sumBy, total, type Sample } from './prometheus.ts';

const READ_VERBS = ['get', 'list', 'watch'] as const;
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
const FLOW_SCHEMAS = '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas';
const PRIORITY_LEVEL = 'workload-low';
/** After the built-in schemas that match system identities, before `service-accounts` (9000). */
const FIRST_PRECEDENCE = 1000;

export interface Identity {
  /** Prefix of this identity's FlowSchemas and key of its counts. */
  name: string;
  serviceAccounts: { name: string; namespace: string }[];
}

export interface RequestCounts {
  reads: Record<string, number>;
  writes: Record<string, number>;
  /** Create, update and patch of core or events.k8s.io Events (not in `writes`). */
  eventWrites: number;
}

function flowSchema(identity: Identity, suffix: string, precedence: number, rule: Record<string, unknown>) {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: `${identity.name}-${suffix}` },
    spec: {
      priorityLevelConfiguration: { name: PRIORITY_LEVEL },
      matchingPrecedence: precedence,
      distinguisherMethod: { type: 'ByUser' },
      rules: [
        {
          subjects: identity.serviceAccounts.map((account) => ({
            kind: 'ServiceAccount',
            serviceAccount: account,
          })),
          resourceRules: [{ clusterScope: true, namespaces: ['*'], ...rule }],
        },
      ],
    },
  };
}

/** The FlowSchemas that make the API server count `identity`'s requests by verb. */
export function accountingSchemas(identity: Identity, offset: number) {
  const base = FIRST_PRECEDENCE + offset * 20;
  return [
    flowSchema(identity, 'events', base, {
      verbs: ['create', 'update', 'patch'],
      apiGroups: ['', 'events.k8s.io'],
      resources: ['events'],
    }),
    ...[...READ_VERBS, ...WRITE_VERBS].map((verb, i) =>
      flowSchema(identity, verb, base + 1 + i, { verbs: [verb], apiGroups: ['*'], resources: ['*'] }),
    ),
  ];
}

export async function installAccounting(kube: KubeConfig, identities: readonly Identity[]): Promise<void> {
  for (const [offset, identity] of identities.entries())
    for (const schema of accountingSchemas(identity, offset))
      await kubeRequest(kube, { method: 'POST', path: FLOW_SCHEMAS, body: schema });
}

/** The API server's /metrics, read with the admin client certificate of the control plane's kubeconfig. */
export async function scrapeApiServer(cluster: ControlPlaneState): Promise<Sample[]> {
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as {
    users: { user: { 'client-certificate': string; 'client-key': string } }[];
  };
  const user = config.users[0]?.user;
  if (!user) throw new Error(`${cluster.kubeconfig} has no user entry`);
  const response = await httpsGet(`${cluster.server}/metrics`, {
    ca: cluster.caFile,
    client: { cert: user['client-certificate'], key: user['client-key'] },
  });
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return parseSamples(response.body);
}

/** What `identity` requested between two scrapes, by verb. */
export function requestsBetween(before: Sample[], after: Sample[], identity: Identity): RequestCounts {
  const bySchema = (samples: Sample[]) =>
    sumBy(samples, 'apiserver_flowcontrol_dispatched_requests_total', 'flow_schema');
  const grown = growth(bySchema(before), bySchema(after));
  const verbs = (list: readonly string[]) =>
    Object.fromEntries(list.map((verb) => [verb, grown[`${identity.name}-${verb}`] ?? 0]));
  return {
    reads: verbs(READ_VERBS),
    writes: verbs(WRITE_VERBS),
    eventWrites: grown[`${identity.name}-events`] ?? 0,
  };
}

/** Every client's requests between two scrapes by verb, from `apiserver_request_total` (no user label). */
export function allRequestsBetween(before: Sample[], after: Sample[]): Record<string, number> {
  const byVerb = (samples: Sample[]) => sumBy(samples, 'apiserver_request_total', 'verb');
  return growth(byVerb(before), byVerb(after));
}

/**
 * Every client's single-object reads (GET) between two scrapes, by resource: where a system's reads go. The
 * benchmark itself only watches, so in a run of one system these are mostly that system's.
 */
export function allGetsByResource(before: Sample[], after: Sample[]): Record<string, number> {
  const gets = (samples: Sample[]) => sumBy(samples, 'apiserver_request_total', 'resource', { verb: 'GET' });
  return growth(gets(before), gets(after));
}

export function writesOf(counts: RequestCounts): number {
  return total(counts.writes) + counts.eventWrites;
}
