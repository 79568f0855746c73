import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { bedSigningKey, buildAll } from '../../images/builder/build.ts';
import { stateDir } from '../cluster/state.ts';
import { toolPath } from '../cluster/tools.ts';
import { cosignKeyPair, cosignSign, type CosignKeys } from '../registry/artifacts.ts';
import { clients, useNamespace } from '../integration/support/cluster.ts';
import { apply, installCrds } from '../integration/support/crds.ts';
import { startServerImageFunctions } from '../integration/support/server-image-functions.ts';
import { loopbackRegistries } from '../registry/operator-access.ts';
import { exec, probePod, running } from './support.ts';

const run = promisify(execFile);

interface Server {
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'real-node-test', version: '1' },
  },
});

// The project's own images on a real node, through its own supply chain: built without Docker, signed with the
// project's key, verified by the supply-chain function, rolled out by the server function as real pods, and
// asked for an MCP initialize through their Service from another pod.
describe('our MCP server images, verified and run on the real node', () => {
  const namespace = useNamespace('own-images');
  const kube = clients();
  const stops: (() => unknown)[] = [];
  const images: Record<string, string> = {};
  let stranger: CosignKeys;

  const serverPath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/${name}`;
  const readServer = (name: string) =>
    kubeRequest<Server>(kube.config, { method: 'GET', path: serverPath(name) });
  const condition = (server: Server, type: string) => server.status?.conditions?.find((c) => c.type === type);
  const verify = { cosignKeyRef: { secretName: 'project-key' } };
  const server = (name: string, image: string, more: Record<string, unknown> = {}) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGServer',
    metadata: { name, namespace: namespace.name },
    spec: { image, verify, ...more },
  });
  /** POSTs initialize from the client pod with Node's fetch (which resolves through the pod's CoreDNS). */
  const initialize = (name: string) =>
    exec(namespace.name, 'client', [
      '/usr/local/bin/node',
      '--input-type=module',
      '-e',
      [
        `const response = await fetch('http://${name}.${namespace.name}.svc.cluster.local:8080/mcp', {`,
        `  method: 'POST', headers: { 'content-type': 'application/json' }, body: process.argv[1] });`,
        'process.stdout.write(await response.text());',
        'process.exitCode = response.ok ? 0 : 1;',
      ].join('\n'),
      INITIALIZE,
    ]);

  beforeAll(async () => {
    await installCrds(kube);
    const cosign = toolPath('cosign');
    const projectKey = await bedSigningKey(cosign, path.dirname(stateDir));
    const built = await buildAll({
      registry: `${inject('registryHost')}/mcpg`,
      crane: toolPath('crane'),
      cosign,
      signingKey: projectKey.key,
      insecure: true,
      only: ['mcp-test-http', 'mcp-test-stdio', 'stdio-bridge'],
    });
    for (const record of built) images[record.name] = record.reference;
    stranger = await cosignKeyPair();
    stops.push(() => {
      stranger.remove();
    });
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: {
        metadata: { name: 'project-key' },
        stringData: { 'cosign.pub': readFileSync(projectKey.publicKey, 'utf8') },
      },
    });
    // Any pod with Node.js will do as the client: one from the test server's image.
    await kube.core.createNamespacedPod({
      namespace: namespace.name,
      body: probePod('client', images['mcp-test-http'] ?? ''),
    });
    const functions = await startServerImageFunctions({
      clients: kube,
      namespace: namespace.name,
      clusterScopedLabels: { 'mcpg.dev/test-run': randomBytes(4).toString('hex') },
      // The bed's registry is on loopback and speaks plain HTTP: named as an operator names an in-cluster one.
      supplyChainEnv: loopbackRegistries(inject('registryHost')),
      serverEnv: { MCPG_STDIO_BRIDGE_IMAGE: images['stdio-bridge'] ?? '' },
    });
    stops.push(() => functions.stop());
    await running(namespace.name, 'client');
  }, 900_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  const runningServer = (name: string) =>
    vi.waitFor(
      async () => {
        const current = await readServer(name);
        expect(condition(current, 'ImageVerified')).toMatchObject({ status: 'True', reason: 'Verified' });
        expect(current.status?.phase).toBe('Running');
        const pods = await kube.core.listNamespacedPod({
          namespace: namespace.name,
          labelSelector: `mcpg.dev/mcpgserver=${name}`,
        });
        expect(pods.items.map((p) => [p.spec?.nodeName, p.status?.phase])).toEqual([
          [inject('nodeName'), 'Running'],
        ]);
      },
      { timeout: 180_000, interval: 1000 },
    );

  /** The server's answer to initialize, once its Service routes to it. */
  const initialized = (name: string) =>
    vi.waitFor(
      async () => {
        const result = await initialize(name);
        expect(result.code).toBe(0);
        return JSON.parse(result.stdout) as { result?: { serverInfo?: { name?: string } } };
      },
      { timeout: 30_000, interval: 1000 },
    );

  it('runs the streamable-HTTP server signed with the project key, and it answers initialize through its Service', async () => {
    await apply(kube, server('echo', images['mcp-test-http'] ?? ''));
    await runningServer('echo');
    const answer = await initialized('echo');
    expect(answer.result?.serverInfo?.name).toBe('mcpg-test-http');
  });

  it('runs the stdio server behind the bridge image, and it answers initialize too', async () => {
    await apply(
      kube,
      server('echo-stdio', images['mcp-test-stdio'] ?? '', {
        transport: 'stdio',
        command: ['/usr/local/bin/node', '/app/server.mjs'],
      }),
    );
    await runningServer('echo-stdio');
    const answer = await initialized('echo-stdio');
    expect(answer.result?.serverInfo?.name).toBe('mcpg-test-stdio');
  });

  it('holds back the same image re-signed by another key: no Deployment, a condition naming why', async () => {
    const reference = images['mcp-test-http'] ?? '';
    const digest = reference.split('@')[1] ?? '';
    const copy = `${inject('registryHost')}/elsewhere/mcp-test-http@${digest}`;
    await run(toolPath('crane'), ['--insecure', 'copy', reference, copy]);
    await cosignSign(copy, stranger);
    await apply(kube, server('resigned', copy));
    await vi.waitFor(
      async () => {
        const current = await readServer('resigned');
        expect(condition(current, 'ImageVerified')).toMatchObject({
          status: 'False',
          reason: 'SignatureInvalid',
        });
      },
      { timeout: 60_000, interval: 500 },
    );
    const deployments = await kube.apps.listNamespacedDeployment({ namespace: namespace.name });
    expect(deployments.items.map((d) => d.metadata?.name)).not.toContain('resigned');
  });
});
