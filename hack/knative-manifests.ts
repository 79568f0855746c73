/** knative/<function>.yaml for every function that declares its wiring (src/wiring.ts). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { functionManifests, type FunctionWiring } from '../functions/shared/src/knative/index.ts';
import { stringify } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
export const KNATIVE_NAMESPACE = 'mcpg-system';
const IMAGE_REPOSITORY = 'ghcr.io/mcpg-dev/mcpg-functions';
const HEADER =
  '# Generated from functions/<name>/src/wiring.ts by `make generate`. Do not edit.\n' +
  '# `kn func deploy --path functions/<name>` builds the image; set it on the Service when applying this file by hand.\n';

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

export async function renderKnative(): Promise<Map<string, string>> {
  const version = (await import(path.join(root, 'functions', 'shared', 'package.json'), {
    with: { type: 'json' },
  })) as {
    default: { version: string };
  };
  return new Map(
    (await wirings()).map((wiring) => {
      const objects = functionManifests(wiring, {
        namespace: KNATIVE_NAMESPACE,
        image: `${IMAGE_REPOSITORY}/${wiring.name}:${version.default.version}`,
      });
      const text =
        HEADER +
        objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
      return [`${wiring.name}.yaml`, text];
    }),
  );
}
