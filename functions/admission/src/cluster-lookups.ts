/**
 * ClusterLookups over the API server. What most reviews read is kept in watch-backed caches (informers): tenants
 * and namespaces (every gateway, plugin-set and route review) and which gateways, servers and instances exist (every
 * create of one of them asks whether its children's names are taken). A review that reads nothing live costs no
 * API request, which is what keeps the webhook's latency flat under load. Plugins, clusters, access reviews and
 * host holders are read live when a review needs them.
 */
import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import {
  API_VERSION,
  findKind,
  type ClusterSpec,
  type GatewaySpec,
  type PluginSpec,
  type ServerSpec,
  type TenantSpec,
} from '@mcpg-functions/shared/api';
import { isNotFound, kubeRequest, resourcePath } from '@mcpg-functions/shared/kube';
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

type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;
type WithSpec<S> = KubernetesObject & { spec: S };

const RESTART_AFTER_MS = 2_000;

/** The API server answers with the object's metadata alone: a Secret's data never reaches the webhook. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** An informer that restarts itself after errors and tells whether its cache is complete. */
class WatchCache<T extends KubernetesObject> {
  private synced = false;
  private stopped = false;
  private lastError: unknown;
  /** Errors seen so far: the informer reports a failed list as an error event and still resolves start(). */
  private failures = 0;
  /** Counts the cache's changes (each add, update and delete, re-lists included), for what is derived from it. */
  private changes = 0;
  private readonly informer: Cached<T>;

  constructor(config: KubeConfig, path: string, logger: Logger) {
    this.informer = makeInformer<T>(config, path, () => kubeRequest(config, { method: 'GET', path }));
    const changed = () => {
      this.changes += 1;
    };
    this.informer.on('add', changed);
    this.informer.on('update', changed);
    this.informer.on('delete', changed);
    this.informer.on('error', (error) => {
      this.synced = false;
      this.failures += 1;
      this.lastError = error;
      logger.warn({ path, err: error }, 'watch failed; restarting');
      if (!this.stopped) setTimeout(() => void this.start(), RESTART_AFTER_MS).unref();
    });
  }

  async start(): Promise<void> {
    const failuresBefore = this.failures;
    try {
      await this.informer.start();
    } catch (error) {
      this.lastError = error;
      return;
    }
    // In sync only if this attempt's list succeeded; otherwise the webhook must keep refusing, not guess.
    if (this.failures === failuresBefore) this.synced = true;
  }

  get ready(): boolean {
    return this.synced;
  }

  /** Throws while the cache is not in sync (the webhook must not guess). */
  private checkSynced(what: string): void {
    if (!this.synced) throw new LookupError(what, this.lastError ?? new Error('the cache is still loading'));
  }

  /** Everything cached. */
  list(what: string): readonly T[] {
    this.checkSynced(what);
    return this.informer.list();
  }

  get(what: string, name: string, namespace?: string): T | undefined {
    this.checkSynced(what);
    return this.informer.get(name, namespace);
  }

  /** Which state of the cache this is: it changes with each change to the cache. */
  revision(what: string): number {
    this.checkSynced(what);
    return this.changes;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }
}

function createdAt(value: Date | string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

function pluralOf(kind: string): string {
  const plural = findKind(kind)?.plural;
  if (!plural) throw new Error(`unknown kind ${kind}`);
  return plural;
}

export class ApiServerLookups implements ClusterLookups {
  private readonly config: KubeConfig;
  private readonly tenantCache: WatchCache<WithSpec<TenantSpec>>;
  private readonly namespaceCache: WatchCache<KubernetesObject>;
  /** The workload kinds whose objects' existence the child-name rule asks about, all namespaces. */
  private readonly workloadCaches: Map<string, WatchCache<KubernetesObject>>;
  /** The index of the cached tenants, and the state of the tenant cache it was derived from. */
  private tenantsIndexed: { revision: number; index: Map<string, Named<TenantSpec>> } | undefined;

  constructor(config: KubeConfig, logger: Logger) {
    this.config = config;
    const tenants = resourcePath({ apiVersion: API_VERSION, plural: pluralOf('MCPGTenant') });
    this.tenantCache = new WatchCache(config, tenants, logger);
    this.namespaceCache = new WatchCache(config, '/api/v1/namespaces', logger);
    this.workloadCaches = new Map(
      WORKLOAD_KINDS.map((kind) => [
        kind,
        new WatchCache(config, resourcePath({ apiVersion: API_VERSION, plural: pluralOf(kind) }), logger),
      ]),
    );
  }

  private get caches(): WatchCache<KubernetesObject>[] {
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
    const revision = this.tenantCache.revision('MCPGTenants');
    if (this.tenantsIndexed?.revision === revision) return this.tenantsIndexed.index;
    const tenants = this.tenantCache.list('MCPGTenants').map((t) => ({
      name: t.metadata?.name ?? '',
      spec: t.spec,
      // The watch hands over the JSON string, though the model types it as a Date: read either.
      creationTimestamp: createdAt(t.metadata?.creationTimestamp),
    }));
    this.tenantsIndexed = { revision, index: tenantsByNamespace(tenants) };
    return this.tenantsIndexed.index;
  }

  async currentTenants(): Promise<Named<TenantSpec>[]> {
    const path = resourcePath({ apiVersion: API_VERSION, plural: pluralOf('MCPGTenant') });
    try {
      const list = await kubeRequest<{ items: WithSpec<TenantSpec>[] }>(this.config, { method: 'GET', path });
      return list.items.map((t) => ({ name: t.metadata?.name ?? '', spec: t.spec }));
    } catch (error) {
      throw new LookupError('MCPGTenants', error);
    }
  }

  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined> {
    const found = this.namespaceCache.get('namespaces', namespace);
    return Promise.resolve(found ? (found.metadata?.labels ?? {}) : undefined);
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
      const answer = await kubeRequest<{ status?: { allowed?: boolean } }>(this.config, {
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
          const list = await kubeRequest<{ items: KubernetesObject[] }>(this.config, { method: 'GET', path });
          return list.items.map((item) => ({ ...item, kind }));
        }),
      );
      const namespaces = found
        .flat()
        .filter((item) => hostsServed(item).some((served) => hostsOverlap(served, host)))
        .map((item) => item.metadata?.namespace ?? '');
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
    if (cache) return cache.get(`${kind} ${namespace}/${name}`, name, namespace) !== undefined;
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
      const object = await kubeRequest<KubernetesObject>(this.config, {
        method: 'GET',
        path,
        headers: { accept: METADATA_ONLY },
      });
      return object.metadata?.labels ?? {};
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
      const object = await kubeRequest<WithSpec<S>>(this.config, { method: 'GET', path });
      return { name, spec: object.spec };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new LookupError(`${kind} ${namespace ? `${namespace}/` : ''}${name}`, error);
    }
  }
}
