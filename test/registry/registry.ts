/**
 * A real OCI registry on loopback for tests and benchmarks: Debian's docker-registry (distribution 2.8) on a
 * random port, storage in a temporary folder, plain HTTP (loopback registries speak HTTP; crane and cosign are
 * told so with --insecure / --allow-http-registry).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestBedError } from '../cluster/errors.ts';
import { freePort } from '../cluster/ports.ts';
import { ManagedProcess, stopProcesses } from '../cluster/processes.ts';
import { waitFor } from '../cluster/wait.ts';

export interface LocalRegistry {
  /** host:port, as it appears in references. */
  host: string;
  url: string;
  dir: string;
  process: ManagedProcess;
  stop: () => Promise<void>;
}

const CANDIDATES = ['/usr/bin/docker-registry', '/usr/bin/registry'];

export function registryBinary(): string {
  const found = CANDIDATES.find((file) => existsSync(file));
  if (!found)
    throw new TestBedError('the docker-registry binary is missing', {
      fix: 'run make setup (installs the Debian package docker-registry)',
    });
  return found;
}

export async function startRegistry(
  options: { logDir?: string; name?: string } = {},
): Promise<LocalRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: {level: warn}',
      `storage: {filesystem: {rootdirectory: ${path.join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: 127.0.0.1:${port}}`,
      '',
    ].join('\n'),
  );
  const registry = ManagedProcess.start({
    name: `${options.name ?? 'registry'}-${port}`,
    binary: registryBinary(),
    args: ['serve', config],
    logDir: options.logDir ?? dir,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetch(`${url}/v2/`)).ok ? true : undefined), {
    what: 'the local registry to answer /v2/',
    timeoutMs: 15_000,
    watch: [registry],
    log: registry.record.log,
  });
  return {
    host: `127.0.0.1:${port}`,
    url,
    dir,
    process: registry,
    stop: async () => {
      await stopProcesses([registry.record]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
