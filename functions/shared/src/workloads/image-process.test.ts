import { describe, expect, it } from 'vitest';
import { imageProcess, pinned } from './image-process.ts';

const digest = `sha256:${'e'.repeat(64)}`;
const stdio = { image: 'registry.example/fs-mcp:1.2', transport: 'stdio' as const };
const read = (overrides: Record<string, unknown> = {}) => ({
  imageConfig: {
    image: 'registry.example/fs-mcp:1.2',
    digest,
    entrypoint: ['/usr/bin/fs-mcp'],
    cmd: ['/data'],
    reason: 'Read',
    ...overrides,
  },
});

// What the bridge runs for a stdio server, from the supply chain's record of the image's config.
describe('imageProcess', () => {
  it('leaves servers with a command, and servers that are not stdio, as they are', () => {
    expect(imageProcess({ ...stdio, command: ['mcp'] }, undefined)).toEqual({ state: 'given' });
    expect(imageProcess({ ...stdio, transport: 'streamable-http' }, undefined)).toEqual({ state: 'given' });
  });

  it.each([
    { name: 'Entrypoint then Cmd', spec: {}, status: read(), command: ['/usr/bin/fs-mcp', '/data'] },
    {
      name: 'Entrypoint then spec.args, which replace Cmd as in Kubernetes',
      spec: { args: ['--ro'] },
      status: read(),
      command: ['/usr/bin/fs-mcp', '--ro'],
    },
    { name: 'Cmd alone', spec: {}, status: read({ entrypoint: undefined }), command: ['/data'] },
  ])('runs $name, pinned to the digest read', ({ spec, status, command }) => {
    expect(imageProcess({ ...stdio, ...spec }, status)).toEqual({
      state: 'resolved',
      command,
      image: `registry.example/fs-mcp:1.2@${digest}`,
    });
  });

  it('reads the image where the pods pull it from: a record for the upstream name does not count', () => {
    const mirrored = { ...stdio, registryOverride: 'mirror.internal:5000' };
    expect(imageProcess(mirrored, read())).toMatchObject({
      state: 'unresolved',
      reason: 'ImageConfigPending',
    });
    expect(imageProcess(mirrored, read({ image: 'mirror.internal:5000/fs-mcp:1.2' }))).toMatchObject({
      state: 'resolved',
      image: `mirror.internal:5000/fs-mcp:1.2@${digest}`,
    });
  });

  it.each([
    { name: 'no record yet', status: undefined, reason: 'ImageConfigPending' },
    { name: 'a record for another image', status: read({ image: 'other:1' }), reason: 'ImageConfigPending' },
    { name: 'a malformed record', status: read({ entrypoint: 'fs-mcp' }), reason: 'ImageConfigPending' },
    {
      name: 'a failed read',
      status: read({ reason: 'PlatformsDisagree', digest: undefined, message: 'the platforms differ' }),
      reason: 'PlatformsDisagree',
    },
    {
      name: 'an image with nothing to run',
      status: read({ entrypoint: [], cmd: undefined }),
      reason: 'NoEntrypoint',
    },
  ])('holds the server back with $name, naming spec.command as the way out', ({ status, reason }) => {
    const outcome = imageProcess(stdio, status);
    expect(outcome).toMatchObject({ state: 'unresolved', reason });
    if (reason !== 'ImageConfigPending') expect(outcome).toMatchObject({ message: /set spec\.command/ });
  });

  it('keeps a digest the image already names', () => {
    expect(pinned(`r.example/x@${digest}`, `sha256:${'f'.repeat(64)}`)).toBe(`r.example/x@${digest}`);
  });
});
