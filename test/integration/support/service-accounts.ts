/**
 * A function and its event source as they run in a cluster, with nothing but the permissions their generated
 * manifests grant: the ServiceAccounts, ClusterRoles and ClusterRoleBindings of knative/<function>.yaml (renamed
 * per test namespace, since roles are cluster-wide), and a kubeconfig per ServiceAccount holding a token from the
 * TokenRequest API. A read or write the wiring does not declare is refused by the real API server's RBAC.
 * A watched source's ServiceAccount is renamed like its ClusterRole, since the tenant function binds the role of
 * that name to the account of that name (watchedAccountsFor gives both).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  eventSources,
  functionManifests,
  sourceAccount,
  watchedSourceAccounts,
  watchedSourceBinding,
  type EventSource,
  type FunctionWiring,
  type SourceAccount,
} from '@mcpg-functions/shared/knative';
import { apiStatus, isNotFound, kubeRequest } from '@mcpg-functions/shared/kube';
import type { Clients } from './cluster.ts';

export interface ServiceAccountKubeconfigs {
  /** The function's own ServiceAccount (mcpg-<name>). */
  function: string;
  /** Each ApiServerSource's read-only ServiceAccount, by the source's name (mcpg-<name>, mcpg-<name>-refs). */
  sources: Map<string, string>;
  remove: () => Promise<void>;
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<
  string,
  unknown
>;

const RBAC = '/apis/rbac.authorization.k8s.io/v1';

/** The admin kubeconfig's cluster entry, pointed at by every ServiceAccount kubeconfig. */
function clusterOf(kubeconfigPath: string): Record<string, unknown> {
  const document = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: Record<string, unknown> }[];
  };
  const cluster = document.clusters[0]?.cluster;
  if (!cluster) throw new Error(`${kubeconfigPath} has no cluster entry`);
  return cluster;
}

export async function tokenKubeconfig(clients: Clients, namespace: string, account: string, dir: string) {
  const request = await kubeRequest<{ status: { token: string } }>(clients.config, {
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } },
  });
  const file = path.join(dir, `kubeconfig-${namespace}-${account}`);
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: clusterOf(clients.kubeconfigPath) }],
    users: [{ name: account, user: { token: request.status.token } }],
    contexts: [{ name: account, context: { cluster: 'local', user: account, namespace } }],
    'current-context': account,
  };
  await writeFile(file, stringify(document), { mode: 0o600 });
  return file;
}

const scopedName = (name: string, namespace: string) => `${name}-${namespace}`;

/** The watched sources' accounts of a function as this file runs them in `namespace`. */
export function watchedAccountsFor(wiring: FunctionWiring, namespace: string): SourceAccount[] {
  return watchedSourceAccounts([wiring], namespace).map((a) => ({
    ...a,
    name: scopedName(a.name, namespace),
  }));
}

/**
 * Cluster-wide names get the namespace as suffix, so that test files running at once do not share them; so do
 * watched sources' accounts, whose name is their role's.
 */
function scoped(manifest: Manifest, namespace: string, watched: ReadonlySet<string>): Manifest {
  const { kind, metadata } = manifest;
  const renamed =
    ['ClusterRole', 'ClusterRoleBinding'].includes(kind) ||
    (kind === 'ServiceAccount' && watched.has(metadata.name));
  const roleRef = manifest.roleRef as { name: string } | undefined;
  return {
    ...manifest,
    metadata: { ...metadata, name: renamed ? scopedName(metadata.name, namespace) : metadata.name },
    ...(roleRef ? { roleRef: { ...roleRef, name: scopedName(roleRef.name, namespace) } } : {}),
  };
}

function collection(manifest: Manifest): string {
  if (manifest.kind === 'ServiceAccount')
    return `/api/v1/namespaces/${manifest.metadata.namespace}/serviceaccounts`;
  if (manifest.kind === 'RoleBinding')
    return `${RBAC}/namespaces/${manifest.metadata.namespace}/rolebindings`;
  return `${RBAC}/${manifest.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`;
}

const ignoreConflict = (error: unknown) => {
  if (apiStatus(error) !== 409) throw error;
};

const accountOf = (source: EventSource, namespace: string, watched: ReadonlySet<string>) =>
  watched.has(sourceAccount(source)) ? scopedName(sourceAccount(source), namespace) : sourceAccount(source);

export function serviceAccountsFor(
  clients: Clients,
  wiring: FunctionWiring,
  namespace: string,
  dir: string,
): Promise<ServiceAccountKubeconfigs> {
  return accountsWith(clients, wiring, { namespace, dir, watchedSources: [] });
}

/** `watchedSources`: for a function that binds them (the tenant function), the watched sources it may bind. */
export async function accountsWith(
  clients: Clients,
  wiring: FunctionWiring,
  { namespace, dir, watchedSources }: { namespace: string; dir: string; watchedSources: SourceAccount[] },
): Promise<ServiceAccountKubeconfigs> {
  const watched = new Set(watchedSourceAccounts([wiring], namespace).map((a) => a.name));
  const identities = functionManifests(wiring, { namespace, image: 'unused', watchedSources })
    .map((m) => m as Manifest)
    .filter((m) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding'].includes(m.kind))
    .map((m) => scoped(m, namespace, watched));
  for (const manifest of identities)
    await kubeRequest(clients.config, { method: 'POST', path: collection(manifest), body: manifest });
  const name = `mcpg-${wiring.name}`;
  return {
    function: await tokenKubeconfig(clients, namespace, name, dir),
    sources: new Map(
      await Promise.all(
        eventSources(wiring).map(
          async (s) =>
            [
              s.name,
              await tokenKubeconfig(clients, namespace, accountOf(s, namespace, watched), dir),
            ] as const,
        ),
      ),
    ),
    remove: async () => {
      for (const manifest of identities.filter((m) => m.kind !== 'ServiceAccount')) {
        await kubeRequest(clients.config, {
          method: 'DELETE',
          path: `${collection(manifest)}/${manifest.metadata.name}`,
        }).catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
      }
    },
  };
}

/**
 * What the tenant function grants a function's watched sources in the namespaces it binds, for tests that run
 * a function without a tenant: the same RoleBindings, in `namespaces`.
 */
export async function grantWatchedSources(
  clients: Clients,
  wiring: FunctionWiring,
  sourceNamespace: string,
  namespaces: readonly string[],
): Promise<void> {
  for (const account of watchedAccountsFor(wiring, sourceNamespace))
    for (const namespace of namespaces)
      await kubeRequest(clients.config, {
        method: 'POST',
        path: `${RBAC}/namespaces/${namespace}/rolebindings`,
        body: watchedSourceBinding(account, namespace),
      }).catch(ignoreConflict);
}
