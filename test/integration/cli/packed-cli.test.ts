import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, packCli } from '../../../packages/cli/build.ts';
import { REPO_ROOT } from '../../cluster/tools.ts';
import { EXAMPLES_DIR } from '../../fixtures/examples.ts';

const SUPPORTED = ['20', '22', '24'] as const;
const TOO_OLD = '18';

/** The folder holding Node `major`'s binary, installed from the npm registry into the cache when missing. */
async function nodeDir(major: string): Promise<string> {
  const { stdout } = await promisify(execFile)(path.join(REPO_ROOT, 'hack', 'setup-node.sh'), [major]);
  return stdout.trim();
}

/** The environment without what `npm run`/`npx vitest` exported (npm_config_engine_strict from .npmrc, …). */
function pipelineEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

const BROKEN_GATEWAY = `apiVersion: mcpg.dev/v1alpha2
kind: MCPGGateway
metadata: {name: gw, namespace: team-a}
spec:
  config: {}
  replicas: 0
`;

// What a GitOps pipeline does: `npx ./<tarball> validate …` in a folder with nothing installed, under whichever
// maintained Node its image has; the tarball is what `npm pack` makes of packages/cli.
describe('the packed mcpg command', () => {
  let work: string;
  let tarball: string;
  const nodes = new Map<string, string>();

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'mcpg-packed-'));
    await buildCli();
    // The tarball alone in a folder of the run's own (npx keys its cache by the tarball's path).
    tarball = path.basename(packCli(path.join(work, 'empty')));
    await mkdir(path.join(work, 'inputs', '.github', 'workflows'), { recursive: true });
    await writeFile(path.join(work, 'inputs', 'gateway.yaml'), BROKEN_GATEWAY);
    await writeFile(path.join(work, 'inputs', '.github', 'workflows', 'ci.yml'), 'on: [push]\njobs: {}\n');
    await copyFile(path.join(EXAMPLES_DIR, 'server.yaml'), path.join(work, 'inputs', 'server.yaml'));
    for (const major of [...SUPPORTED, TOO_OLD]) nodes.set(major, await nodeDir(major));
  }, 600_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** `npx ./<tarball> args…` in the tarball's folder with Node `major` first on PATH; never throws. */
  async function npx(major: string, args: string[], stdin?: string) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        'npx',
        ['--yes', `./${tarball}`, ...args],
        {
          cwd: path.join(work, 'empty'),
          env: {
            ...pipelineEnv(),
            PATH: `${nodes.get(major) ?? ''}:${process.env.PATH ?? ''}`,
            // A cache of the run's own: nothing but the tarball is installed, so nothing else is fetched.
            npm_config_cache: path.join(work, 'npm-cache'),
            npm_config_update_notifier: 'false',
          },
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
      child.stdin?.end(stdin ?? '');
    });
  }

  it.each(SUPPORTED)('validates docs/examples under Node %s', async (major) => {
    const result = await npx(major, ['validate', EXAMPLES_DIR]);
    expect(result.stderr).toContain('11 manifest(s) in 10 file(s): valid');
    expect(result.code).toBe(0);
  });

  it.each(SUPPORTED)('reports bad inputs under Node %s', async (major) => {
    const inputs = path.join(work, 'inputs');
    const folder = await npx(major, ['validate', inputs]);
    expect(folder.code).toBe(1);
    expect(folder.stdout.trim()).toBe(
      `${path.join(inputs, 'gateway.yaml')}:6: spec.replicas: must be at least 1 (got 0)`,
    );
    expect(folder.stderr).toContain('ci.yml:1: note: skipped: not a Kubernetes manifest');
    expect(folder.stderr).toContain('server.yaml:7: warning: spec.image is not pinned by digest');

    const missing = await npx(major, ['validate', path.join(work, 'missing')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`mcpg: no such file or folder: ${path.join(work, 'missing')}\n`);

    const piped = await npx(major, ['validate', '--output', 'json', '-'], BROKEN_GATEWAY);
    expect(piped.code).toBe(1);
    expect(JSON.parse(piped.stdout)).toMatchObject({
      findings: [{ file: '<stdin>', line: 6, field: 'spec.replicas', severity: 'error' }],
      summary: { files: 1, manifests: 1, errors: 1 },
    });
  });

  it(`says that Node ${TOO_OLD} is too old instead of failing inside`, async () => {
    const result = await npx(TOO_OLD, ['validate', EXAMPLES_DIR]);
    expect(result.stderr).toMatch(/mcpg needs Node\.js 20 or newer; this is Node\.js v18\.\d+\.\d+/);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});
