import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, functionNames } from '../../../hack/bundle.ts';
import { freePort } from '../../cluster/ports.ts';
import { ManagedProcess, stopProcesses } from '../../cluster/processes.ts';
import { sendPing } from '../../cluster/ping.ts';
import { waitFor } from '../../cluster/wait.ts';
import { startAdmission } from '../support/admission.ts';
import { clients } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';

const root = path.resolve(import.meta.dirname, '../../..');

// kn func builds a function from its folder alone: a copy of the folder, with nothing else of the
// repository, must install and serve.
describe('a bundled function folder', () => {
  const kube = clients();
  const started: ManagedProcess[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    await installCrds(kube);
  });
  afterAll(async () => {
    await stopProcesses(started.map((p) => p.record));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function copyOut(name: string): Promise<string> {
    const copy = path.join(await mkdtemp(path.join(os.tmpdir(), `mcpg-${name}-`)), name);
    dirs.push(path.dirname(copy));
    await cp(path.join(root, 'functions', name), copy, {
      recursive: true,
      filter: (src) => !src.includes('node_modules'),
    });
    await bundle(name, path.join(copy, 'dist'));
    await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--omit=dev'], { cwd: copy });
    return copy;
  }

  // Every reconcile function (a folder under functions/ with a func.yaml and a wiring), so a new one is covered.
  const reconcileFunctions = functionNames().filter((name) =>
    existsSync(path.join(root, 'functions', name, 'src', 'wiring.ts')),
  );

  it('covers every function folder', () => {
    expect([...reconcileFunctions, 'admission'].sort()).toEqual(functionNames().sort());
  });

  it('serves the webhook over TLS from the admission folder alone', async () => {
    const copy = await copyOut('admission');
    const admission = await startAdmission({
      kubeconfig: kube.kubeconfigPath,
      workDir: path.dirname(copy),
      entry: path.join(copy, 'dist', 'function.mjs'),
    });
    await admission.stop();
  });

  it.each(reconcileFunctions.map((name) => [name]))(
    'installs and answers a resync when copied out of the repository: %s',
    async (name) => {
      const copy = await copyOut(name);
      const port = await freePort();
      // Run what the folder's `npm start` runs (node directly, so the process we stop is the server itself).
      const manifest = JSON.parse(await readFile(path.join(copy, 'package.json'), 'utf8')) as {
        scripts: { start: string };
      };
      const [command, ...args] = manifest.scripts.start.split(' ');
      expect(command).toBe('node');
      const fn = ManagedProcess.start({
        name: `bundled-${name}`,
        binary: process.execPath,
        args,
        cwd: copy,
        logDir: path.dirname(copy),
        env: { PORT: String(port), HOST: '127.0.0.1', KUBECONFIG: kube.kubeconfigPath, LOG_LEVEL: 'warn' },
      });
      started.push(fn);
      const url = `http://127.0.0.1:${port}`;
      await waitFor(async () => ((await fetch(`${url}/health/readiness`)).ok ? true : undefined), {
        what: `the bundled ${name} function`,
        timeoutMs: 20_000,
        watch: [fn],
        log: fn.record.log,
      });
      const response = await sendPing(url);
      expect(response.status).toBe(204);
    },
  );
});
