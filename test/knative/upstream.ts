/**
 * The Knative stack's parts come from their Go modules: the programs are built by `hack/build-tools.sh --stack`
 * and the objects their releases install are read from the YAML the module zips carry. Nothing upstream is kept
 * in the repository; each part patches the objects in code, saying why next to each change.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { TestBedError } from '../cluster/errors.ts';
import { REPO_ROOT } from '../cluster/tools.ts';

const run = promisify(execFile);

/** A Kubernetes object as upstream YAML describes it: plain data, patched in place by the part installing it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** A pin from hack/versions.env, the one list of versions the build script also reads. */
export function pinnedVersion(name: string): string {
  const line = readFileSync(path.join(REPO_ROOT, 'hack/versions.env'), 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}=`));
  if (!line) throw new TestBedError(`hack/versions.env has no ${name}`, { fix: `add ${name}=<version> to hack/versions.env` });
  return line.slice(name.length + 1).trim();
}

const GO_ENV = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };

/** Builds (or finds cached) one part's upstream programs; returns the folder holding the binaries. */
export async function buildStackPrograms(part: string, say: (line: string) => void): Promise<string> {
  say(`${part}: building its programs from the Go module proxy (cached after the first run)`);
  try {
    const { stdout } = await run('bash', [path.join(REPO_ROOT, 'hack/build-tools.sh'), '--stack', part], {
      env: GO_ENV,
      maxBuffer: 16 << 20,
    });
    return stdout.trim().split('\n').at(-1) ?? '';
  } catch (error) {
    throw new TestBedError(`building the stack's ${part} programs failed`, {
      fix: `run 'hack/build-tools.sh --stack ${part}' and read the log it names`,
      cause: error,
    });
  }
}

/** The unpacked source of `module@version` in the Go module cache (downloaded when missing). */
export async function moduleSource(module: string, version: string): Promise<string> {
  try {
    const { stdout } = await run('go', ['mod', 'download', '-json', `${module}@${version}`], { env: GO_ENV });
    const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (!dir) throw new Error(stdout);
    return dir;
  } catch (error) {
    throw new TestBedError(`could not fetch ${module}@${version} from the Go module proxy`, {
      fix: 'check that the Go toolchain is on PATH and the module proxy is reachable, then retry',
      cause: error,
    });
  }
}

/**
 * The objects in `files` (YAML files, or folders read recursively in name order, as a release concatenates
 * them), relative to `root`. Empty documents (comment-only files, trailing separators) are dropped.
 */
export function readObjects(root: string, files: string[]): KubeObject[] {
  const paths = files.flatMap((file) => yamlFiles(path.join(root, file)));
  return paths.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
      if (doc.errors.length) throw new TestBedError(`${file}: ${doc.errors[0]?.message}`, { fix: 'the module is damaged: clear it with go clean -modcache' });
      const object = doc.toJS() as KubeObject | null;
      return object ? [object] : [];
    }),
  );
}

function yamlFiles(file: string): string[] {
  if (!statSync(file).isDirectory()) return [file];
  return readdirSync(file)
    .sort()
    .flatMap((entry) => {
      const full = path.join(file, entry);
      return statSync(full).isDirectory() || /\.ya?ml$/.test(entry) ? yamlFiles(full) : [];
    });
}

export function toYamlStream(objects: KubeObject[]): string {
  return objects.map((object) => stringify(object)).join('---\n');
}

/** The containers of a workload object (Deployment, DaemonSet, StatefulSet), for patching. */
export function podContainers(object: KubeObject): Record<string, unknown>[] {
  const spec = object.spec as { template?: { spec?: { containers?: Record<string, unknown>[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

/** Applies CRDs first and waits until the API serves them, then the rest in the order given. */
export async function applyInOrder(
  bed: { apply: (yaml: string) => Promise<void>; kubectl: (...args: string[]) => Promise<string> },
  objects: KubeObject[],
): Promise<void> {
  const crds = objects.filter((object) => object.kind === 'CustomResourceDefinition');
  if (crds.length) {
    await bed.apply(toYamlStream(crds));
    await bed.kubectl(
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      ...crds.map((crd) => `customresourcedefinition/${crd.metadata.name}`),
    );
  }
  await bed.apply(toYamlStream(objects.filter((object) => object.kind !== 'CustomResourceDefinition')));
}

/**
 * Upstream sizes its requests for clusters of many nodes; every part of the stack and our functions share one
 * node with 2 CPUs here, so requests shrink to what an idle component uses. Limits stay as upstream set them.
 */
export function scaleDownRequests(container: Record<string, unknown>, requests = { cpu: '10m', memory: '32Mi' }): void {
  const resources = (container.resources ?? {}) as { requests?: Record<string, string> };
  resources.requests = { ...resources.requests, ...requests };
  container.resources = resources;
}

/** Waits until every Deployment in `namespace` is Available (its pods pulled, started and ready). */
export async function waitForDeployments(
  bed: { kubectl: (...args: string[]) => Promise<string> },
  namespace: string,
  timeout = '300s',
): Promise<void> {
  try {
    await bed.kubectl('wait', '--for=condition=Available', `--timeout=${timeout}`, '-n', namespace, 'deployment', '--all');
  } catch (error) {
    const pods = await bed.kubectl('get', 'pods', '-n', namespace, '-o', 'wide').catch(() => '');
    throw new TestBedError(`the Deployments in ${namespace} did not become Available within ${timeout}\n${pods}`, {
      fix: `look at 'kubectl -n ${namespace} describe pods' and the pods' logs`,
      cause: error,
    });
  }
}

/** `kubectl create --dry-run=server` of one object: the API server's admission (webhooks included) answers. */
export async function dryRunCreate(
  bed: { kubectl: (...args: string[]) => Promise<string> },
  object: object,
): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-dry-run-'));
  try {
    const file = path.join(dir, 'object.json');
    writeFileSync(file, JSON.stringify(object));
    return await bed.kubectl('create', '--dry-run=server', '-o', 'json', '-f', file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
