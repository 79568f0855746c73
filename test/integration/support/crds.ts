import { findKind } from '@mcpg-functions/shared/api';
import { renderCrds } from '@mcpg-functions/shared/crd';
import { kubeRequest, resourcePath, serverSideApply } from '@mcpg-functions/shared/kube';
import type { KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../../cluster/wait.ts';
import { parse } from 'yaml';
import type { Clients } from './cluster.ts';

export const TEST_FIELD_MANAGER = 'mcpg-functions/tests';

type Applied = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

function pluralOf(kind: string): string {
  const plural = kind === 'CustomResourceDefinition' ? 'customresourcedefinitions' : findKind(kind)?.plural;
  if (!plural) throw new Error(`the test helpers do not know the resource of kind ${kind}`);
  return plural;
}

/** Server-side applies a CRD or an mcpg.dev object as the tests' field manager, sending the JSON unchanged. */
export function applyWith<T extends Applied>(config: KubeConfig, object: T): Promise<T> {
  return serverSideApply(config, object, { plural: pluralOf(object.kind), fieldManager: TEST_FIELD_MANAGER });
}

export function apply<T extends Applied>(clients: Clients, object: T): Promise<T> {
  return applyWith(clients.config, object);
}

/** Creates an mcpg.dev object (POST), as `kubectl create` does; `dryRun` runs admission without storing. */
export async function create<T extends Applied>(
  clients: Pick<Clients, 'config'>,
  object: T,
  dryRun = false,
): Promise<T> {
  const path = resourcePath({
    apiVersion: object.apiVersion,
    plural: pluralOf(object.kind),
    namespace: object.metadata.namespace,
  });
  return kubeRequest<T>(clients.config, {
    method: 'POST',
    path: dryRun ? `${path}?dryRun=All` : path,
    body: object,
  });
}

/** Installs the generated CRDs (idempotent; test files may race) and waits until all are Established. */
export async function installCrdsWith(config: KubeConfig): Promise<void> {
  const crds = [...renderCrds().values()].map((text) => parse(text) as Applied);
  await Promise.all(crds.map((crd) => applyWith(config, crd)));
  await waitFor(
    async () =>
      (await Promise.all(crds.map((crd) => isEstablished(config, crd.metadata.name)))).every(Boolean)
        ? true
        : undefined,
    {
      what: 'the mcpg.dev CRDs to be Established',
      timeoutMs: 30_000,
    },
  );
}

async function isEstablished(config: KubeConfig, name: string): Promise<boolean> {
  const crd = await kubeRequest<{ status?: { conditions?: { type: string; status: string }[] } }>(config, {
    method: 'GET',
    path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
  });
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

export function installCrds(clients: Clients): Promise<void> {
  return installCrdsWith(clients.config);
}
