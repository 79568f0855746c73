import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect, connectionFromKubeconfig, inClusterConnection } from './connection.ts';

describe('connection', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'connection-'));
    await writeFile(path.join(dir, 'ca.crt'), 'CA');
    await writeFile(path.join(dir, 'admin.crt'), 'CERT');
    await writeFile(path.join(dir, 'admin.key'), 'KEY');
    await writeFile(path.join(dir, 'token'), 'rotating-token\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function kubeconfig(
    user: Record<string, unknown>,
    cluster: Record<string, unknown> = {},
  ): Promise<string> {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}`);
    await writeFile(
      file,
      stringify({
        'current-context': 'local',
        contexts: [
          { name: 'other', context: { cluster: 'x', user: 'x' } },
          { name: 'local', context: { cluster: 'c', user: 'u' } },
        ],
        clusters: [
          {
            name: 'c',
            cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority': 'ca.crt', ...cluster },
          },
        ],
        users: [{ name: 'u', user }],
      }),
    );
    return file;
  }

  it('reads client certificates from files relative to the kubeconfig', async () => {
    const connection = await connectionFromKubeconfig(
      await kubeconfig({ 'client-certificate': 'admin.crt', 'client-key': path.join(dir, 'admin.key') }),
    );
    expect(connection.server).toBe('https://127.0.0.1:6443');
    expect(String(connection.tls.ca)).toBe('CA');
    expect(String(connection.tls.cert)).toBe('CERT');
    expect((connection.tls.key as Buffer).toString()).toBe('KEY');
    expect(connection.headers()).toEqual({});
  });

  it('uses inline data and a static or file token', async () => {
    const inline = await kubeconfig(
      { token: 'abc' },
      {
        'certificate-authority': undefined,
        'certificate-authority-data': Buffer.from('INLINE').toString('base64'),
      },
    );
    const connection = await connectionFromKubeconfig(inline);
    expect(String(connection.tls.ca)).toBe('INLINE');
    expect(connection.headers()).toEqual({ authorization: 'Bearer abc' });
    const fromFile = await connectionFromKubeconfig(await kubeconfig({ tokenFile: path.join(dir, 'token') }));
    expect(fromFile.headers()).toEqual({ authorization: 'Bearer rotating-token' });
  });

  it('says what is missing when there is no cluster or no kubeconfig', async () => {
    const broken = path.join(dir, 'broken');
    await writeFile(broken, stringify({ 'current-context': 'nowhere' }));
    await expect(connectionFromKubeconfig(broken)).rejects.toThrow(
      'the current context names no cluster with a server',
    );
    expect(() => inClusterConnection({})).toThrow(
      'not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no KUBECONFIG was given',
    );
    await expect(connect(undefined, {})).rejects.toThrow(/not running in a cluster/);
  });
});
