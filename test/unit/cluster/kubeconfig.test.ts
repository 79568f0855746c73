import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { afterAll, describe, expect, it } from 'vitest';
import { writeKubeconfig } from '../../cluster/kubeconfig.ts';

describe('writeKubeconfig', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('writes a private kubeconfig that the Kubernetes client loads as the current context', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kubeconfig-test-'));
    dirs.push(dir);
    const file = path.join(dir, 'kubeconfig');
    await writeKubeconfig(file, {
      server: 'https://127.0.0.1:6443',
      caFile: '/pki/ca.crt',
      client: { cert: '/pki/admin.crt', key: '/pki/admin.key' },
      name: 'local',
    });

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const config = loadKubeConfig(file);
    expect(config.getCurrentCluster()).toMatchObject({
      server: 'https://127.0.0.1:6443',
      caFile: '/pki/ca.crt',
    });
    expect(config.getCurrentUser()).toMatchObject({ certFile: '/pki/admin.crt', keyFile: '/pki/admin.key' });
    expect(config.getContextObject(config.getCurrentContext())?.namespace).toBe('default');
  });
});
