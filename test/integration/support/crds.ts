import { findKind } from '@mcpg-functions/shared/api';
import { renderCrds } from '@mcpg-functions/shared/crd';
import { kubeRequest, resourcePath, serverSideApply } from '@mcpg-functions/shared/kube';
import { vi } from 'vitest';
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
export async function apply<T extends Applied>(clients: Clients, object: T): Promise<T> {
  return serverSideApply(clients.config, object, {
    plural: pluralOf(object.kind),
    fieldManager: TEST_FIELD_MANAGER,
  });
}

/** Creates an mcpg.dev object (POST), as `kubectl create` does; `dryRun` runs admission without storing. */
export async function create<T extends Applied>(clients: Clients, object: T, dryRun = false): Promise<T> {
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
export async function installCrds(clients: Clients): Promise<void> {
  const crds = [...renderCrds().values()].map((text) => parse(text) as Applied);
  await Promise.all(crds.map((crd) => apply(clients, crd)));
  await vi.waitFor(
    async () => {
      for (const crd of crds) {
        const stored = await clients.apiextensions.readCustomResourceDefinition({ name: crd.metadata.name });
        const established = stored.status?.conditions?.find((c) => c.type === 'Established');
        if (established?.status !== 'True') throw new Error(`${crd.metadata.name} is not Established yet`);
      }
    },
    { timeout: 30_000, interval: 200 },
  );
}
