import { KubeConfig } from '@kubernetes/client-node';

/**
 * Loads the Kubernetes client configuration: the given kubeconfig file, else `KUBECONFIG`,
 * else the in-cluster ServiceAccount (how a function runs inside a pod).
 */
export function loadKubeConfig(file?: string): KubeConfig {
  const config = new KubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  return config;
}
