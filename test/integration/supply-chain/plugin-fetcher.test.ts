import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginMounts } from '../../../functions/gateway/src/resources/plugin-delivery.ts';
import { buildAll } from '../../../images/builder/build.ts';
import { toolPath } from '../../cluster/tools.ts';
import { pluginPackage, pushPlugin, type PluginPackage } from '../../registry/artifacts.ts';
import { startFaultyProxy, type FaultyProxy } from '../../registry/faulty-proxy.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';

const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

// The init container that brings plugins into gateway pods where image volumes are not available: its image is
// built here from scratch (the project's image builder, no container runtime), pushed to a real registry, taken
// apart again with crane, and the binary from inside it is run against real plugin artifacts in a real registry.
describe('the plugin fetcher image', () => {
  let registry: LocalRegistry;
  let proxy: FaultyProxy;
  let work: string;
  let fetcherBinary: string;
  let pkg: PluginPackage;
  let artifact: string;
  let image = () => '';
  const digestOf = (p: PluginPackage) => `sha256:${p.binarySha256}`;

  async function fetchPlugins(args: string[]): Promise<Outcome> {
    try {
      const { stdout, stderr } = await run(fetcherBinary, ['fetch', ...args], { timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }
  const into = (name: string) => path.join(work, 'plugins', name);

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultyProxy(registry.url, 'corrupt');
    work = mkdtempSync(path.join(tmpdir(), 'mcpg-fetcher-'));
    const [built] = await buildAll({
      registry: `${registry.host}/mcpg`,
      crane: toolPath('crane'),
      cosign: toolPath('cosign'),
      insecure: true,
      only: ['plugin-fetcher'],
    });
    const reference = built?.reference ?? '';
    image = () => reference;
    const root = path.join(work, 'image');
    await run('mkdir', ['-p', root]);
    await run('sh', [
      '-c',
      `"$0" export --insecure "$1" - | tar -x -C "$2"`,
      toolPath('crane'),
      image(),
      root,
    ]);
    fetcherBinary = path.join(root, 'plugin-fetcher');
    pkg = pluginPackage({ id: 'dev.mcpg.test.gate' });
    artifact = `${registry.host}/plugins/gate@${await pushPlugin(`${registry.host}/plugins/gate:1.0.0`, pkg)}`;
  }, 120_000);

  afterAll(async () => {
    await proxy.close();
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('is a single static binary that runs as a non-root user', async () => {
    const { stdout } = await run(toolPath('crane'), ['config', '--insecure', image()]);
    const config = JSON.parse(stdout) as { config: { Entrypoint?: string[]; User?: string }; os: string };
    expect(config.config.Entrypoint).toEqual(['/plugin-fetcher']);
    expect(config.config.User).toBe('65532:65532');
    expect(config.os).toBe('linux');
  });

  it('fetches a plugin, checked against the digest the plugin set published, with the flags the gateway renders', async () => {
    const mounts = pluginMounts(
      [{ id: 'dev.mcpg.test.gate', pluginRef: 'gate', artifact, digest: digestOf(pkg), enforce: true }],
      { kind: 'init-container', fetcherImage: image() },
    );
    const rendered = (mounts.initContainers[0]?.args ?? []) as string[];
    expect(rendered[0]).toBe('fetch');
    // Only the target folder moves, from the pod's /etc/mcpg/plugins to this test's own.
    const args = rendered
      .slice(1)
      .map((arg, i, all) => (all[i - 1] === '--into' ? path.join(work, arg) : arg));
    const outcome = await fetchPlugins(args);
    expect(outcome).toMatchObject({ code: 0 });
    const folder = path.join(work, '/etc/mcpg/plugins/dev.mcpg.test.gate');
    expect(readFileSync(path.join(folder, 'plugin.so'))).toEqual(pkg.binary);
    expect(readdirSync(folder).sort()).toEqual(['plugin.so', 'plugin.yaml']);
  });

  it.each([
    {
      why: 'plugin.so is not the binary the plugin set published',
      args: () => ['--artifact', artifact, '--digest', `sha256:${'0'.repeat(64)}`, '--into', into('wrong')],
      target: 'wrong',
      message: /plugin.so is sha256:[0-9a-f]{64}, not the sha256:0{64} the plugin set published/,
    },
    {
      why: 'the registry serves bytes that do not match their digest',
      args: () => [
        '--artifact',
        artifact.replace(registry.host, proxy.host),
        '--digest',
        digestOf(pkg),
        '--into',
        into('tampered'),
      ],
      target: 'tampered',
      message: /registry served bytes that do not match sha256:/,
    },
    {
      why: 'the reference names a tag, not a digest',
      args: () => [
        '--artifact',
        `${registry.host}/plugins/gate:1.0.0`,
        '--digest',
        digestOf(pkg),
        '--into',
        into('tag'),
      ],
      target: 'tag',
      message: /not a digest-pinned reference/,
    },
    {
      why: 'the artifact does not exist',
      args: () => [
        '--artifact',
        `${registry.host}/plugins/absent@sha256:${'1'.repeat(64)}`,
        '--digest',
        digestOf(pkg),
        '--into',
        into('absent'),
      ],
      target: 'absent',
      message: /reading the manifest: .*check the registry is reachable/,
    },
  ])('stops the pod when $why, leaving nothing behind', async ({ args, target, message }) => {
    const outcome = await fetchPlugins(args());
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(message);
    expect(existsSync(into(target))).toBe(false);
    const parent = path.dirname(into(target));
    const leftovers = existsSync(parent) ? readdirSync(parent).filter((f) => f.startsWith('.fetch-')) : [];
    expect(leftovers).toEqual([]);
  });

  it('refuses a relative target folder before fetching anything, naming the flag', async () => {
    const outcome = await fetchPlugins([
      '--artifact',
      artifact,
      '--digest',
      digestOf(pkg),
      '--into',
      'relative',
    ]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--into must be an absolute directory \(got "relative"\)/);
  });
});
