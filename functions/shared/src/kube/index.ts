export { loadKubeConfig } from './config.ts';
export { apiStatus, isNotFound } from './errors.ts';
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
export { KubeApiError, kubeRequest, resourcePath, serverSideApply, type ObjectRef } from './raw.ts';
export { requireResource, resourceOf, type ResourceType } from './resources.ts';
