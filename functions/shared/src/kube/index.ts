// Nothing here imports @kubernetes/client-node at run time: the functions and the webhook stay small. Its
// KubeConfig loader, for tests, is in '@mcpg-functions/shared/kube-client'.
export { connect, connectionFromKubeconfig, inClusterConnection, type Connection } from './connection.ts';
export { apiStatus, isNotFound } from './errors.ts';
export { KnownObjects } from './known-objects.ts';
export {
  describeKey,
  keyOf,
  ObjectClient,
  type KubeObject,
  type ObjectKey,
  type ObjectMeta,
  type OwnerReference,
  type RequestCounts,
} from './objects.ts';
export {
  KubeApiError,
  kubeRequest,
  resourcePath,
  serverSideApply,
  type ApiTarget,
  type ObjectRef,
} from './raw.ts';
export { requireResource, resourceOf, type ResourceType } from './resources.ts';
export { equalityRequirements, MANAGED_SELECTOR, ResyncSnapshot, type ParentLabel } from './snapshot.ts';
export { METADATA_ONLY, WatchCache, type WatchCacheOptions } from './watch-cache.ts';
