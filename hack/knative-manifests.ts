/** knative/<function>.yaml for every function that declares its wiring (src/wiring.ts). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  functionManifests,
  watchedSourceAccounts,
  type FunctionWiring,
} from '../functions/shared/src/knative/index.ts';
import { stringify } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
export const KNATIVE_NAMESPACE = 'mcpg-system';
const IMAGE_REPOSITORY = 'ghcr.io/mcpg-dev/mcpg-functions';
const HEADER = '# Generated from functions/<name>/src/wiring.ts by `make generate`. Do not edit.\n';
const WIRING_HEADER =
  HEADER +
  '# Everything but the Knative Service: apply it before `kn func deploy --path functions/<name>`, which creates\n' +
  '# the Service (func needs the ServiceAccount to exist), or with <name>-service.yaml when not using kn func.\n';
const SERVICE_HEADER =
  HEADER +
  '# The Knative Service, for installs without kn func: set the image you built before applying it.\n';

export async function wirings(): Promise<FunctionWiring[]> {
  const names = readdirSync(path.join(root, 'functions'))
    .filter((name) => existsSync(path.join(root, 'functions', name, 'src', 'wiring.ts')))
    .sort();
  const modules = await Promise.all(
    names.map(
      (name) =>
        import(path.join(root, 'functions', name, 'src', 'wiring.ts')) as Promise<{ wiring: FunctionWiring }>,
    ),
  );
  return modules.map((m) => m.wiring);
}

const yaml = (objects: object[]) =>
  objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');

const isKnativeService = (o: Record<string, unknown>) =>
  o.kind === 'Service' && o.apiVersion === 'serving.knative.dev/v1';

/**
 * Two files per function: knative/<name>.yaml (identities, RBAC, sources, resync) and <name>-service.yaml (the
 * Knative Service), so that `kn func deploy` can own the Service without a later `kubectl apply` replacing it.
 */
export async function renderKnative(): Promise<Map<string, string>> {
  const version = (await import(path.join(root, 'functions', 'shared', 'package.json'), {
    with: { type: 'json' },
  })) as {
    default: { version: string };
  };
  const all = await wirings();
  const watchedSources = watchedSourceAccounts(all, KNATIVE_NAMESPACE);
  return new Map(
    all.flatMap((wiring) => {
      const objects = functionManifests(wiring, {
        namespace: KNATIVE_NAMESPACE,
        image: `${IMAGE_REPOSITORY}/${wiring.name}:${version.default.version}`,
        watchedSources,
      });
      return [
        [`${wiring.name}.yaml`, WIRING_HEADER + yaml(objects.filter((o) => !isKnativeService(o)))],
        [`${wiring.name}-service.yaml`, SERVICE_HEADER + yaml(objects.filter(isKnativeService))],
      ] as const;
    }),
  );
}
