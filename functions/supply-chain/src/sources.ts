/**
 * Reads what a verification needs from the cluster: Secrets and ConfigMaps in the operator namespace, the
 * mirror a plugin names, and the revocation lists. Missing objects are reported, never guessed around.
 */
import { API_VERSION } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectClient } from '@mcpg-functions/shared/kube';

export interface SecretRef {
  secretName: string;
  key: string;
}

export class MissingSource extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingSource';
  }
}

/** One key of a Secret, decoded. */
export async function secretValue(client: ObjectClient, namespace: string, ref: SecretRef): Promise<Buffer> {
  const secret = await client.get<KubeObject & { data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    name: ref.secretName,
  });
  if (!secret) throw new MissingSource(`Secret ${namespace}/${ref.secretName} does not exist`);
  const value = secret.data?.[ref.key];
  if (value === undefined)
    throw new MissingSource(`Secret ${namespace}/${ref.secretName} has no key "${ref.key}"`);
  return Buffer.from(value, 'base64');
}

export interface KeyProblem {
  reason: 'KeyUnavailable';
  message: string;
}

export function isKeyProblem(value: unknown): value is KeyProblem {
  return typeof value === 'object' && value !== null && 'reason' in value && 'message' in value;
}

/** A public key kept in a Secret, decoded; a missing Secret or key, or bytes that are no key, are a problem. */
export async function keyFromSecret<T>(
  client: ObjectClient,
  namespace: string,
  ref: SecretRef,
  decode: (stored: Buffer) => T,
): Promise<T | KeyProblem> {
  let stored: Buffer;
  try {
    stored = await secretValue(client, namespace, ref);
  } catch (error) {
    if (error instanceof MissingSource) return { reason: 'KeyUnavailable', message: error.message };
    throw error;
  }
  try {
    return decode(stored);
  } catch (error) {
    // Whatever the bytes are, they are not a usable key: say which Secret holds them.
    return { reason: 'KeyUnavailable', message: `${ref.secretName}/${ref.key}: ${(error as Error).message}` };
  }
}

/** One key of a ConfigMap in the operator namespace. */
export async function configMapValue(
  client: ObjectClient,
  namespace: string,
  ref: { name: string; key: string },
): Promise<string> {
  const map = await client.get<KubeObject & { data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace,
    name: ref.name,
  });
  if (!map) throw new MissingSource(`ConfigMap ${namespace}/${ref.name} does not exist`);
  const value = map.data?.[ref.key];
  if (value === undefined)
    throw new MissingSource(`ConfigMap ${namespace}/${ref.name} has no key "${ref.key}"`);
  return value;
}

/** A dockerconfigjson Secret's document (`.dockerconfigjson`, or `dockerconfigjson` as some tools write it). */
export async function dockerConfig(client: ObjectClient, namespace: string, ref: SecretRef): Promise<string> {
  try {
    return (await secretValue(client, namespace, ref)).toString('utf8');
  } catch (error) {
    if (ref.key !== '.dockerconfigjson') throw error;
    return (
      await secretValue(client, namespace, { ...ref, key: 'dockerconfigjson' }).catch(() => {
        throw error;
      })
    ).toString('utf8');
  }
}

export async function revocationLists(client: ObjectClient): Promise<KubeObject[]> {
  return client.list({ apiVersion: API_VERSION, kind: 'MCPGRevocationList' });
}
