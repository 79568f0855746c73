/**
 * Where the API server is and how to authenticate, read from a kubeconfig file (client certificates or a
 * token) or from the pod's ServiceAccount. Deliberately small instead of @kubernetes/client-node's KubeConfig:
 * that library costs a reconcile function about 90 MB of memory and half a second of start-up, and a function
 * needs only this. Exec and OIDC auth plugins are not supported here; functions run with a ServiceAccount.
 */
import { readFileSync } from 'node:fs';
import type https from 'node:https';
import { parseYaml } from '../runtime/yaml.ts';

export interface Connection {
  server: string;
  /** TLS settings for node:https (CA, client certificate). */
  tls: Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
  /** Headers per request: a bearer token is re-read, since projected ServiceAccount tokens rotate. */
  headers: () => Record<string, string>;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name: string; cluster?: Record<string, unknown> }[];
  users?: { name: string; user?: Record<string, unknown> }[];
}

/** Bytes from an inline base64 `*-data` field or from a file path relative to the kubeconfig. */
function material(entry: Record<string, unknown>, field: string, base: string): Buffer | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const file = entry[field];
  if (typeof file !== 'string') return undefined;
  return readFileSync(file.startsWith('/') ? file : `${base}/${file}`);
}

function bearer(token: () => string | undefined): () => Record<string, string> {
  return (): Record<string, string> => {
    const value = token();
    return value ? { authorization: `Bearer ${value}` } : {};
  };
}

function currentEntries(file: KubeconfigFile, path: string) {
  const context = file.contexts?.find((c) => c.name === file['current-context'])?.context;
  const cluster = file.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') {
    throw new Error(`${path}: the current context names no cluster with a server`);
  }
  const user = file.users?.find((u) => u.name === context?.user)?.user ?? {};
  return { cluster, server: cluster.server, user };
}

function userToken(user: Record<string, unknown>): () => string | undefined {
  const { token, tokenFile } = user;
  if (typeof token === 'string') return () => token;
  if (typeof tokenFile === 'string') return () => readFileSync(tokenFile, 'utf8').trim();
  return () => undefined;
}

/**
 * A kubeconfig's content. YAML includes JSON, and a JSON kubeconfig is read without loading the YAML parser
 * (several MiB resident for the rest of the process); in a cluster no function reads a kubeconfig at all.
 */
async function parseKubeconfig(text: string): Promise<KubeconfigFile> {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as KubeconfigFile;
    } catch {
      // Not JSON after all (a YAML flow mapping): the YAML parser reads it.
    }
  }
  return (await parseYaml(text)) as KubeconfigFile;
}

export async function connectionFromKubeconfig(path: string): Promise<Connection> {
  const file = await parseKubeconfig(readFileSync(path, 'utf8'));
  const base = path.slice(0, path.lastIndexOf('/')) || '.';
  const { cluster, server, user } = currentEntries(file, path);
  return {
    server,
    tls: {
      ca: material(cluster, 'certificate-authority', base),
      cert: material(user, 'client-certificate', base),
      key: material(user, 'client-key', base),
      rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    },
    headers: bearer(userToken(user)),
  };
}

export function inClusterConnection(env: NodeJS.ProcessEnv = process.env): Connection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host)
    throw new Error(
      'not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no KUBECONFIG was given',
    );
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    tls: { ca: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`) },
    headers: bearer(() => readFileSync(`${SERVICE_ACCOUNT_DIR}/token`, 'utf8').trim()),
  };
}

/** The given kubeconfig, else KUBECONFIG, else the pod's ServiceAccount. */
export async function connect(
  kubeconfig?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection> {
  const path = kubeconfig ?? env.KUBECONFIG;
  return path ? connectionFromKubeconfig(path) : inClusterConnection(env);
}
