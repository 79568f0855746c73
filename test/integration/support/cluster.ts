import { randomBytes } from 'node:crypto';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { isNotFound } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, inject } from 'vitest';

export interface Clients {
  config: KubeConfig;
  kubeconfigPath: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  apiextensions: ApiextensionsV1Api;
  custom: CustomObjectsApi;
}

/** API clients for the run's control plane (started by the global setup). */
export function clients(): Clients {
  const kubeconfigPath = inject('kubeconfig');
  const config = loadKubeConfig(kubeconfigPath);
  return {
    config,
    kubeconfigPath,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    apiextensions: config.makeApiClient(ApiextensionsV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
}

/** A namespace of the file's own, created before its tests and deleted after them. */
export function useNamespace(prefix: string): { readonly name: string } {
  const holder = { name: `${prefix}-${randomBytes(3).toString('hex')}` };
  const { core } = clients();
  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: holder.name } } });
  });
  afterAll(async () => {
    try {
      await core.deleteNamespace({ name: holder.name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  });
  return holder;
}
