/**
 * Our chart on the stack, installed the way docs/install.md tells a platform engineer: the images built, pushed to
 * the bed's registry and signed with the bed's key (as `make images` does), then `helm upgrade --install` of
 * chart/ with values that point at them by digest. Comes last: the chart's preflight refuses a cluster without
 * Knative Serving, Eventing or cert-manager.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bedSigningKey, buildAll, type BuiltRecord } from '../../images/builder/build.ts';
import { functionNames } from '../../hack/bundle.ts';
import { valuesKey } from '../../hack/chart-functions.ts';
import { TestBedError } from '../cluster/errors.ts';
import { stateDir } from '../cluster/state.ts';
import { REPO_ROOT, toolPath } from '../cluster/tools.ts';
import type { StackBed, StackPart } from './bed.ts';

const run = promisify(execFile);

export const MCPG_NAMESPACE = 'mcpg-system';
export const MCPG_RELEASE = 'mcpg';
/** Where our images go under the bed's registry, as `make images` puts them. */
const REPOSITORY = 'mcpg';

export const mcpg: StackPart = {
  name: 'mcpg',
  async install(bed) {
    const cosign = toolPath('cosign');
    const { key } = await bedSigningKey(cosign, path.dirname(stateDir));
    const images = await buildAll({
      registry: `${bed.push.registry}/${REPOSITORY}`,
      crane: bed.push.crane,
      cosign,
      signingKey: key,
      insecure: true,
      onProgress: (line) => {
        bed.say(`mcpg: ${line}`);
      },
    });
    bed.say('mcpg: helm upgrade --install');
    await helmInstall(bed, bedValues(bed.push.registry, images));
  },
};

/**
 * The values the bed sets: our registry, every image by the digest just pushed, and pull policy IfNotPresent
 * (a digest never changes its content); the functions that put our helper programs into the pods they render
 * (the gateway's plugin fetcher, the servers' stdio bridge) name the bed's. Everything else is the chart's
 * default, cert-manager path included.
 */
export function bedValues(registry: string, images: readonly BuiltRecord[]): Record<string, unknown> {
  const built = (name: string) => {
    const record = images.find((image) => image.name === name);
    if (!record) {
      throw new TestBedError(`the image ${name} was not built`, { fix: "run 'make images' to see why" });
    }
    return record;
  };
  const helperImages: Record<string, { name: string; value: string }[]> = {
    gateway: [{ name: 'MCPG_PLUGIN_FETCHER_IMAGE', value: built('plugin-fetcher').reference }],
    server: [{ name: 'MCPG_STDIO_BRIDGE_IMAGE', value: built('stdio-bridge').reference }],
    instance: [{ name: 'MCPG_STDIO_BRIDGE_IMAGE', value: built('stdio-bridge').reference }],
  };
  const functions = functionNames().filter((name) => name !== 'admission');
  return {
    image: { registry, repository: `${REPOSITORY}/mcpg-functions`, pullPolicy: 'IfNotPresent' },
    admission: { image: { digest: built('admission').digest } },
    functions: Object.fromEntries(
      functions.map((name) => [
        valuesKey(name),
        { image: { digest: built(name).digest }, ...(helperImages[name] ? { env: helperImages[name] } : {}) },
      ]),
    ),
  };
}

async function helmInstall(bed: StackBed, values: Record<string, unknown>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcpg-values-'));
  try {
    const file = path.join(dir, 'values.json');
    await writeFile(file, JSON.stringify(values));
    await run(
      toolPath('helm'),
      [
        'upgrade', '--install', MCPG_RELEASE, path.join(REPO_ROOT, 'chart'),
        '--namespace', MCPG_NAMESPACE, '--create-namespace',
        '--kubeconfig', bed.kubeconfig,
        '--values', file,
        // Waits for the webhook Deployment (the functions' Services are Knative's: they start at zero).
        '--wait', '--timeout', '10m',
      ],
      { maxBuffer: 64 << 20 },
    ).catch((error: unknown) => {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new TestBedError(`helm could not install the chart: ${stderr.trim()}`, {
        fix: "a preflight refusal names what the cluster lacks; a webhook that could not be called belongs to a part installed before this one (Knative Serving or Eventing, cert-manager): check its pods",
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
