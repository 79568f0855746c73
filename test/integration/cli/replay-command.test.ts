import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { REPO_ROOT } from '../../cluster/tools.ts';
import { fixturePath, loadEvents, replayServer } from '../../fixtures/events.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startFunction, type RunningFunction } from '../support/function-process.ts';

const MCPG = path.join(REPO_ROOT, 'packages', 'cli', 'src', 'mcpg.ts');

/** `mcpg args…` as its own process; never throws. */
function mcpg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MCPG, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

// What a user does with a recorded fixture: `mcpg replay` against a function running as its own process on a
// real API server, the events moved into the user's namespace.
describe('mcpg replay against a running function', () => {
  const namespace = useNamespace('cli-replay');
  const kube = clients();
  let fn: RunningFunction;
  let dir: string;

  beforeAll(async () => {
    await installCrds(kube);
    dir = await mkdtemp(path.join(os.tmpdir(), 'mcpg-replay-'));
    fn = await startFunction('server', {
      kubeconfig: kube.kubeconfigPath,
      logDir: path.join(inject('clusterRunDir'), 'logs'),
    });
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name: 'token' }, stringData: { TOKEN: 'one' } },
    });
    await apply(kube, replayServer(namespace.name));
  });
  afterAll(async () => {
    await fn.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the recorded add event and the function renders the server', async () => {
    const add = loadEvents('server', namespace.name).find(
      (e) => e.headers['ce-kind'] === 'MCPGServer' && e.headers['ce-type']?.endsWith('.add') === true,
    );
    const id = add?.headers['ce-id'] ?? '';
    const result = await mcpg(
      'replay',
      '--namespace',
      namespace.name,
      '--event',
      id,
      fixturePath('server'),
      `${fn.url}/`,
    );
    expect(result.stdout.trim()).toBe(
      `[1/1] dev.knative.apiserver.resource.add MCPGServer ${namespace.name}/tools -> 204 No Content`,
    );
    expect(result.code).toBe(0);
    // 204 says the function took the event on; its pass may still be running.
    await vi.waitFor(
      async () => {
        const deployment = await kube.apps.readNamespacedDeployment({
          name: 'tools',
          namespace: namespace.name,
        });
        expect(deployment.spec?.replicas).toBe(2);
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  it('prints the function refusing an event it does not understand, and exits 1', async () => {
    const fixture = path.join(dir, 'unknown.json');
    const event = {
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'unknown-1',
        'ce-type': 'com.example.unknown',
        'ce-source': '/example',
        'content-type': 'application/json',
      },
      body: '{}',
    };
    await writeFile(fixture, JSON.stringify([event]));
    const result = await mcpg('replay', fixture, `${fn.url}/`);
    expect(result.stdout.trim()).toBe('[1/1] com.example.unknown -> 400 Bad Request');
    expect(result.code).toBe(1);
  });
});
