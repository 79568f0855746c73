import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { CertFiles } from './pki.ts';

export interface KubeconfigInput {
  server: string;
  caFile: string;
  client: CertFiles;
  /** Name used for the cluster, user and context entries. */
  name: string;
}

/** Writes a kubeconfig that points at the local API server with a client certificate. */
export async function writeKubeconfig(file: string, input: KubeconfigInput): Promise<void> {
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: input.name, cluster: { server: input.server, 'certificate-authority': input.caFile } },
    ],
    users: [
      {
        name: input.name,
        user: { 'client-certificate': input.client.cert, 'client-key': input.client.key },
      },
    ],
    contexts: [
      { name: input.name, context: { cluster: input.name, user: input.name, namespace: 'default' } },
    ],
    'current-context': input.name,
  };
  await writeFile(file, stringify(document), { mode: 0o600 });
}
