import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../../../../test/fixtures/examples.ts';

const cli = path.join(import.meta.dirname, 'mcpg.ts');

async function mcpg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const BROKEN = `# two documents: a valid route, then a broken gateway
apiVersion: mcpg.dev/v1alpha2
kind: MCPGRoute
metadata: {name: r, namespace: team-a}
spec:
  gatewayRef: {name: gw}
  match: {tools: [{id: orders.list}]}
  attributes: {tenant: team-a}
---
apiVersion: mcpg.dev/v1alpha2
kind: MCPGGateway
metadata:
  name: gw
spec:
  config: {}
  replicas: 0
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-ours}
`;

describe('mcpg validate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mcpg-cli-'));
    await writeFile(path.join(dir, 'broken.yaml'), BROKEN);
    await writeFile(path.join(dir, 'not-yaml.yml'), 'spec: [unclosed\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts every manifest in docs/examples', async () => {
    const result = await mcpg('validate', EXAMPLES_DIR);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/11 manifest\(s\) in 10 file\(s\): valid/);
  });

  it('names the file, the line and the field of each error and exits 1', async () => {
    const result = await mcpg('validate', path.join(dir, 'broken.yaml'));
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${path.join(dir, 'broken.yaml')}:16: spec.replicas: must be at least 1 (got 0)`,
    ]);
    expect(result.stderr).toContain('2 manifest(s) in 1 file(s): 1 error(s)');
  });

  it('reports unparsable YAML with its line', async () => {
    const result = await mcpg('validate', dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not-yaml\.yml:\d+: YAML: /);
  });

  it('exits 2 with usage for a missing path or command', async () => {
    expect((await mcpg('validate', path.join(dir, 'missing.yaml'))).code).toBe(2);
    expect((await mcpg('lint')).stderr).toContain('usage: mcpg validate');
  });
});
