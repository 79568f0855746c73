/**
 * ClusterLookups over the API server. What most reviews read is kept in list-then-watch caches that hold only what
 * the rules read (a tenant's name, spec and age; a namespace's labels; whether a workload object exists): tenants
 * and namespaces (every gateway, plugin-set and route review) and which gateways, servers and instances exist (every
 * create of one of them asks whether its children's names are taken). A review that reads nothing live costs no
 * API request, which is what keeps the webhook's latency flat under load. Plugins, clusters, access reviews and
 * host holders are read live when a review needs them.
 */
import {
  API_VERSION,
  findKind,
  type ClusterSpec,
  type GatewaySpec,
  type PluginSpec,
  type ServerSpec,
  type TenantSpec,
} from '@mcpg-functions/shared/api';
import {
  isNotFound,
  kubeRequest,
  METADATA_ONLY,
  resourcePath,
  WatchCache,
  type Connection,
  type KubeObject,
} from '@mcpg-functions/shared/kube';
import { WORKLOAD_KINDS } from '@mcpg-functions/shared/workloads';
import type { Logger } from '@mcpg-functions/shared/runtime';
import type { UserInfo } from './admission-review.ts';
import { hostsOverlap, hostsServed } from '@mcpg-functions/shared/workloads';
import {
  LookupError,
  tenantsByNamespace,
  type AccessQuestion,
  type ClusterLookups,
  type Named,
} from './lookups.ts';

type WithSpec<S> = KubeObject & { spec: S };

/** The cache's content, or LookupError while it is not in sync: the webhook must not guess. */
function inSync<T>(cache: WatchCache<T>, what: string): WatchCache<T> {
  if (!cache.ready) throw new LookupError(what, cache.lastError ?? new Error('the cache is still loading'));
  return cache;
}

function pluralOf(kind: string): string {
  const plural = findKind(kind)?.plural;
  if (!plural) throw new Error(`unknown kind ${kind}`);
  return plural;
}

export class ApiServerLookups implements ClusterLookups {
  private readonly connection: Connection;
  private readonly tenantCache: WatchCache<Named<TenantSpec>>;
  /** Each namespace's labels, from its metadata alone. */
  private readonly namespaceCache: WatchCache<Record<string, string>>;
  /** The workload kinds whose objects' existence the child-name rule asks about, all namespaces. */
  private readonly workloadCaches: Map<string, WatchCache<true>>;
  /** The index of the cached tenants, and the state of the tenant cache it was derived from. */
  private tenantsIndexed: { revision: number; index: Map<string, Named<TenantSpec>> } | undefined;

  constructor(connection: Connection, logger: Logger) {
    this.connection = connection;
    this.tenantCache = new WatchCache(connection, {
      path: resourcePath({ apiVersion: API_VERSION, plural: pluralOf('MCPGTenant') }),
      keep: (tenant) => ({
        name: tenant.metadata.name,
        spec: (tenant as WithSpec<TenantSpec>).spec,
        creationTimestamp: tenant.metadata.creationTimestamp,
      }),
      logger,
    });
    this.namespaceCache = new WatchCache(connection, {
      path: '/api/v1/namespaces',
      metadataOnly: true,
      keep: (namespace) => namespace.metadata.labels ?? {},
      logger,
    });
    this.workloadCaches = new Map(
      WORKLOAD_KINDS.map((kind) => [
        kind,
        new WatchCache(connection, {
          path: resourcePath({ apiVersion: API_VERSION, plural: pluralOf(kind) }),
          metadataOnly: true,
          keep: () => true as const,
          logger,
        }),
      ]),
    );
  }

  private get caches(): WatchCache<unknown>[] {
    return [this.tenantCache, this.namespaceCache, ...this.workloadCaches.values()];
  }

  async start(): Promise<void> {
    await Promise.all(this.caches.map((cache) => cache.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.caches.map((cache) => cache.stop()));
  }

  get ready(): boolean {
    return this.caches.every((cache) => cache.ready);
  }

  tenantOf(namespace: string): Promise<Named<TenantSpec> | undefined> {
    return Promise.resolve(this.tenantIndex().get(namespace));
  }

  /**
   * Which tenant holds each namespace, derived from the cached tenants again only when the watch added, replaced
   * or removed one: every gateway and plugin-set review asks, and tenants change rarely.
   */
  private tenantIndex(): Map<string, Named<TenantSpec>> {
    const tenants = inSync(this.tenantCache, 'MCPGTenants');
    const revision = tenants.revision;
    if (this.tenantsIndexed?.revision === revision) return this.tenantsIndexed.index;
    this.tenantsIndexed = { revision, index: tenantsByNamespace(tenants.list()) };
    return this.tenantsIndexed.index;
  }

  async currentTenants(): Promise<Named<TenantSpec>[]> {
    const path = resourcePath({ apiVersion: API_VERSION, plural: pluralOf('MCPGTenant') });
    try {
      const list = await kubeRequest<{ items: WithSpec<TenantSpec>[] }>(this.connection, {
        method: 'GET',
        path,
      });
      return list.items.map((t) => ({ name: t.metadata.name, spec: t.spec }));
    } catch (error) {
      throw new LookupError('MCPGTenants', error);
    }
  }

  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined> {
    return Promise.resolve(inSync(this.namespaceCache, 'namespaces').get(namespace));
  }

  async userMay(user: UserInfo, access: AccessQuestion): Promise<boolean> {
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: user.username,
        uid: user.uid,
        groups: user.groups,
        extra: user.extra,
        resourceAttributes: { ...access, group: access.group ?? '' },
      },
    };
    try {
      const answer = await kubeRequest<{ status?: { allowed?: boolean } }>(this.connection, {
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        body: review,
      });
      return answer.status?.allowed === true;
    } catch (error) {
      throw new LookupError(
        `whether ${user.username ?? 'the user'} may ${access.verb} ${access.resource}`,
        error,
      );
    }
  }

  async hostNamespaces(host: string): Promise<string[]> {
    // List items do not always carry their kind: each list is tagged with the kind it holds.
    const lists = [
      { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
      { kind: 'MCPGServer', path: resourcePath({ apiVersion: API_VERSION, plural: pluralOf('MCPGServer') }) },
      {
        kind: 'MCPGGateway',
        path: resourcePath({ apiVersion: API_VERSION, plural: pluralOf('MCPGGateway') }),
      },
    ];
    try {
      const found = await Promise.all(
        lists.map(async ({ kind, path }) => {
          const list = await kubeRequest<{ items: KubeObject[] }>(this.connection, { method: 'GET', path });
          return list.items.map((item) => ({ ...item, kind }));
        }),
      );
      const namespaces = found
        .flat()
        .filter((item) => hostsServed(item).some((served) => hostsOverlap(served, host)))
        .map((item) => item.metadata.namespace ?? '');
      return [...new Set(namespaces)];
    } catch (error) {
      throw new LookupError(`who serves host ${host}`, error);
    }
  }

  plugin(name: string): Promise<Named<PluginSpec> | undefined> {
    return this.read<PluginSpec>('MCPGPlugin', undefined, name);
  }

  gateway(namespace: string, name: string): Promise<Named<GatewaySpec> | undefined> {
    return this.read<GatewaySpec>('MCPGGateway', namespace, name);
  }

  server(namespace: string, name: string): Promise<Named<ServerSpec> | undefined> {
    return this.read<ServerSpec>('MCPGServer', namespace, name);
  }

  cluster(name: string): Promise<Named<ClusterSpec> | undefined> {
    return this.read<ClusterSpec>('MCPGCluster', undefined, name);
  }

  /**
   * From the watch cache for the workload kinds: an object created a moment ago may not be in it yet, a window the
   * child-name rule already has for two objects created in the same instant (the reconciler then refuses to take
   * over the other's children).
   */
  async exists(kind: string, namespace: string, name: string): Promise<boolean> {
    const cache = this.workloadCaches.get(kind);
    if (cache) return inSync(cache, `${kind} ${namespace}/${name}`).get(name, namespace) !== undefined;
    return (await this.read(kind, namespace, name)) !== undefined;
  }

  async sourceLabels(
    kind: 'Secret' | 'ConfigMap',
    namespace: string,
    name: string,
  ): Promise<Record<string, string> | undefined> {
    const plural = kind === 'Secret' ? 'secrets' : 'configmaps';
    const path = resourcePath({ apiVersion: 'v1', plural, namespace, name });
    try {
      const object = await kubeRequest<KubeObject>(this.connection, {
        method: 'GET',
        path,
        headers: { accept: METADATA_ONLY },
      });
      return object.metadata.labels ?? {};
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new LookupError(`${kind} ${namespace}/${name}`, error);
    }
  }

  private async read<S>(
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<Named<S> | undefined> {
    const path = resourcePath({ apiVersion: API_VERSION, plural: pluralOf(kind), namespace, name });
    try {
      const object = await kubeRequest<WithSpec<S>>(this.connection, { method: 'GET', path });
      return { name, spec: object.spec };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new LookupError(`${kind} ${namespace ? `${namespace}/` : ''}${name}`, error);
    }
  }
}
