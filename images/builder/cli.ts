/**
 * `make images [REGISTRY=<host/path>] [IMAGES=a,b] [COSIGN_KEY=<file>]`: builds every image, pushes it with its
 * SBOM, signs it, and writes dist/images.json. Without REGISTRY the images go to the running test bed's registry
 * (make cluster-up REAL_NODE=1), signed with the bed's key.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TestBedError } from '../../test/cluster/errors.ts';
import { readState, stateDir } from '../../test/cluster/state.ts';
import { toolPath } from '../../test/cluster/tools.ts';
import { bedSigningKey, buildAll } from './build.ts';
import { REPO_ROOT } from './sources.ts';

const { values } = parseArgs({
  options: { registry: { type: 'string' }, only: { type: 'string' }, key: { type: 'string' } },
});

function bedRegistry(): string {
  const host = readState()?.realNode?.registry?.host;
  if (!host) {
    throw new TestBedError('no registry to push to: the test bed with a real node is not running', {
      fix: "start it with 'make cluster-up REAL_NODE=1', or push elsewhere with 'make images REGISTRY=<host/path>'",
    });
  }
  return `${host}/mcpg`;
}

const isLoopback = (registry: string) => /^(127\.|localhost[:/]|\[::1\])/.test(registry);

try {
  const registry = values.registry ?? bedRegistry();
  const cosign = toolPath('cosign');
  const signingKey =
    values.key ?? (values.registry ? undefined : (await bedSigningKey(cosign, path.dirname(stateDir))).key);
  if (!signingKey)
    console.error('no COSIGN_KEY given: the images are pushed unsigned (see docs/images.md for signing)');
  const records = await buildAll({
    registry,
    crane: toolPath('crane'),
    cosign,
    ...(signingKey ? { signingKey } : {}),
    insecure: isLoopback(registry),
    ...(values.only ? { only: values.only.split(',') } : {}),
    onProgress: (line) => {
      console.error(line);
    },
  });
  mkdirSync(path.join(REPO_ROOT, 'dist'), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, 'dist/images.json'), JSON.stringify(records, null, 2) + '\n');
  for (const record of records) console.log(record.reference);
} catch (error) {
  console.error(error instanceof TestBedError ? error.describe() : error);
  process.exit(1);
}
