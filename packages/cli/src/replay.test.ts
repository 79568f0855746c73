import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from './fixtures.ts';
import { run } from './main.ts';

async function mcpg(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readStdin: () => Promise.resolve(''),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const subject = (ns: string) => `/apis/mcpg.dev/v1alpha2/namespaces/${ns}/mcpgservers/tools`;
const EVENTS: RecordedEvent[] = [
  {
    headers: {
      'ce-specversion': '1.0',
      'ce-id': 'first',
      'ce-type': 'dev.knative.apiserver.resource.add',
      'ce-source': 'https://127.0.0.1:6443',
      'ce-apiversion': 'mcpg.dev/v1alpha2',
      'ce-kind': 'MCPGServer',
      'ce-name': 'tools',
      'ce-namespace': 'replay',
      'ce-subject': subject('replay'),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ kind: 'MCPGServer', metadata: { name: 'tools', namespace: 'replay' } }),
  },
  {
    headers: {
      'ce-specversion': '1.0',
      'ce-id': 'ping-1',
      'ce-type': 'dev.knative.sources.ping',
      'ce-source': '/apis/v1/namespaces/mcpg-system/pingsources/resync',
      'content-type': 'application/json',
    },
    body: '{}',
  },
];

describe('mcpg replay', () => {
  let dir: string;
  let url: string;
  let server: http.Server;
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let answer = { status: 204, body: '' };
  const fixture = () => path.join(dir, 'events.json');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mcpg-replay-'));
    await writeFile(fixture(), JSON.stringify(EVENTS, null, 1));
    await writeFile(path.join(dir, 'broken.json'), JSON.stringify([{ headers: {}, body: '' }]));
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  beforeEach(() => {
    received.length = 0;
    answer = { status: 204, body: '' };
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('sends every event in binary mode, as recorded, and prints each answer', async () => {
    const result = await mcpg(['replay', fixture(), url]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '[1/2] dev.knative.apiserver.resource.add MCPGServer replay/tools -> 204 No Content',
      '[2/2] dev.knative.sources.ping -> 204 No Content',
    ]);
    expect(received.map((r) => r.body)).toEqual(EVENTS.map((e) => e.body));
    expect(received[0]?.headers).toMatchObject(EVENTS[0]?.headers ?? {});
  });

  it('sends the events picked by position or ce-id, moved to another namespace', async () => {
    const result = await mcpg([
      'replay',
      '--event',
      'ping-1',
      '--event',
      '1',
      '--namespace',
      'team-a',
      fixture(),
      url,
    ]);
    expect(result.code).toBe(0);
    expect(received.map((r) => r.headers['ce-id'])).toEqual(['ping-1', 'first']);
    expect(received[1]?.headers['ce-namespace']).toBe('team-a');
    expect(received[1]?.headers['ce-subject']).toBe(subject('team-a'));
    expect(JSON.parse(received[1]?.body ?? '')).toMatchObject({ metadata: { namespace: 'team-a' } });
  });

  it('prints the body of an answer that is not 2xx and exits 1', async () => {
    answer = { status: 400, body: 'unsupported CloudEvent type' };
    const result = await mcpg(['replay', '--event', '1', fixture(), url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('-> 400 Bad Request\n  unsupported CloudEvent type');
  });

  it('says when nothing answers at the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await mcpg(['replay', fixture(), `http://127.0.0.1:${port}/`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no answer from http://127.0.0.1:${port}/: ECONNREFUSED`);
  });

  it.each([
    { args: () => ['replay', path.join(dir, 'none.json'), url], says: 'no such fixture file' },
    { args: () => ['replay', path.join(dir, 'broken.json'), url], says: 'event 1: headers need ce-type' },
    {
      args: () => ['replay', '--event', '3', fixture(), url],
      says: 'has no event 3 (give a position from 1 to 2',
    },
    {
      args: () => ['replay', fixture(), 'localhost:8080'],
      says: 'the function URL must be http:// or https://',
    },
    { args: () => ['replay', fixture()], says: 'replay needs a fixture file and the function URL' },
  ])('exits 2 and says why: $says', async ({ args, says }) => {
    const result = await mcpg(args());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(says);
    expect(received).toEqual([]);
  });
});
