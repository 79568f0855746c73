export { loadKubeConfig } from './config.ts';
export { apiStatus, isNotFound } from './errors.ts';
export { KubeApiError, kubeRequest, resourcePath, serverSideApply, type ObjectRef } from './raw.ts';
