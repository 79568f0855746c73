import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../../../test/fixtures/examples.ts';
import { run } from './main.ts';

/** Runs one command line in-process; `stdin` is what standard input holds. */
async function mcpg(args: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readStdin: () => Promise.resolve(stdin),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
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

const WORKFLOW = `name: ci
on: [push]
jobs:
  test: {runs-on: ubuntu-latest, steps: [{run: make test}]}
`;

// A JSON manifest as kubectl writes it, tab-indented, with the error on line 7.
const JSON_SERVER = `{
\t"apiVersion": "mcpg.dev/v1alpha2",
\t"kind": "MCPGServer",
\t"metadata": {"name": "tools", "namespace": "team-a"},
\t"spec": {
\t\t"image": "ghcr.io/example/tools@sha256:${'a'.repeat(64)}",
\t\t"replicas": -1
\t}
}
`;

describe('mcpg validate', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mcpg-cli-'));
    await writeFile(file('broken.yaml'), BROKEN);
    await writeFile(file('not-yaml.yml'), 'spec: [unclosed\n');
    await mkdir(file('.github/workflows'), { recursive: true });
    await writeFile(file('.github/workflows/ci.yml'), WORKFLOW);
    await writeFile(file('server.json'), JSON_SERVER);
    await writeFile(file('README.md'), '# not read\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts every manifest in docs/examples', async () => {
    const result = await mcpg(['validate', EXAMPLES_DIR]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/11 manifest\(s\) in 10 file\(s\): valid$/);
  });

  it('names the file, the line and the field of each error and exits 1', async () => {
    const result = await mcpg(['validate', file('broken.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      `${file('broken.yaml')}:16: spec.replicas: must be at least 1 (got 0)`,
    ]);
    expect(result.stderr).toContain('2 manifest(s) in 1 file(s): 1 error(s)');
  });

  it('reports unparsable YAML with its line', async () => {
    const result = await mcpg(['validate', file('not-yaml.yml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not-yaml\.yml:\d+: YAML: /);
  });

  it('skips a CI workflow with a note instead of reporting a missing apiVersion', async () => {
    const result = await mcpg(['validate', file('.github')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${file('.github/workflows/ci.yml')}:1: note: skipped: not a Kubernetes manifest (it has no apiVersion and kind)`,
    );
    expect(result.stderr).toContain('0 manifest(s) in 1 file(s): valid, 1 document(s) skipped');
  });

  it('reads JSON manifests, in folders too, with the line of the field', async () => {
    const result = await mcpg(['validate', dir]);
    expect(result.stdout).toContain(`${file('server.json')}:7: spec.replicas: must be at least 0 (got -1)`);
    expect(result.stderr).not.toContain('README.md');
  });

  it('reads standard input for -', async () => {
    const result = await mcpg(['validate', '-'], BROKEN);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('<stdin>:16: spec.replicas: must be at least 1 (got 0)');
  });

  it('gives machine-readable findings with --output json', async () => {
    const result = await mcpg(['validate', '--output', 'json', file('broken.yaml'), file('.github')]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      findings: [
        {
          file: file('broken.yaml'),
          line: 16,
          field: 'spec.replicas',
          message: 'must be at least 1 (got 0)',
          severity: 'error',
        },
        {
          file: file('.github/workflows/ci.yml'),
          line: 1,
          field: '',
          message: 'skipped: not a Kubernetes manifest (it has no apiVersion and kind)',
          severity: 'notice',
        },
      ],
      summary: { files: 2, manifests: 2, errors: 1, warnings: 0, skipped: 1 },
    });
  });

  it('names a warning’s field in JSON output', async () => {
    const result = await mcpg(['validate', '-o', 'json', path.join(EXAMPLES_DIR, 'server.yaml')]);
    const { findings } = JSON.parse(result.stdout) as { findings: { field: string; severity: string }[] };
    expect(findings).toContainEqual(expect.objectContaining({ field: 'spec.image', severity: 'warning' }));
  });

  it('reports a file it cannot read as an error on that file, and reads the others', async () => {
    // A socket is a path that exists and cannot be read as a file, for root too.
    const socket = net.createServer();
    await new Promise<void>((resolve) => socket.listen(file('socket.yaml'), resolve));
    try {
      const result = await mcpg(['validate', file('socket.yaml'), file('broken.yaml')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        new RegExp(`^${file('socket.yaml')}:1: cannot read the file \\(E[A-Z]+\\)$`, 'm'),
      );
      expect(result.stdout).toContain(`${file('broken.yaml')}:16: spec.replicas`);
    } finally {
      await new Promise((resolve) => socket.close(resolve));
    }
  });

  it('says in one line which path does not exist, and exits 2', async () => {
    const result = await mcpg(['validate', file('broken.yaml'), file('missing.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`mcpg: no such file or folder: ${file('missing.yaml')}`);
  });

  it.each([
    { args: [], says: 'name a command' },
    { args: ['lint'], says: 'unknown command "lint"' },
    { args: ['validate'], says: 'validate needs at least one file, folder or -' },
    { args: ['validate', '--output', 'xml', '.'], says: '--output must be text or json (got "xml")' },
    { args: ['validate', '--strict', '.'], says: "Unknown option '--strict'" },
  ])('exits 2 with usage for $args', async ({ args, says }) => {
    const result = await mcpg(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`mcpg: ${says}`);
    expect(result.stderr).toContain('usage:');
  });
});
