import { describe, expect, it } from 'vitest';
import { parseReference, pinned, rewriteToMirror } from './reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    {
      text: 'ghcr.io/org/plugin:1.0.0',
      expected: { registry: 'ghcr.io', repository: 'org/plugin', tag: '1.0.0' },
    },
    {
      text: `127.0.0.1:5000/a/b@${DIGEST}`,
      expected: { registry: '127.0.0.1:5000', repository: 'a/b', digest: DIGEST },
    },
    {
      text: `localhost/x:t@${DIGEST}`,
      expected: { registry: 'localhost', repository: 'x', tag: 't', digest: DIGEST },
    },
    {
      text: 'library/busybox:1',
      expected: { registry: 'index.docker.io', repository: 'library/busybox', tag: '1' },
    },
  ])('parses $text', ({ text, expected }) => {
    expect(parseReference(text)).toMatchObject(expected);
  });

  it.each([
    { text: 'ghcr.io/org/plugin', error: /names neither a tag nor a digest/ },
    { text: 'ghcr.io/org/plugin@sha256:abc', error: /invalid digest/ },
    { text: 'ghcr.io/Org/plugin:1', error: /invalid repository/ },
  ])('refuses $text', ({ text, error }) => {
    expect(() => parseReference(text)).toThrow(error);
  });

  it('pins a reference to a digest, dropping the tag', () => {
    expect(pinned(parseReference('ghcr.io/org/p:1'), DIGEST)).toBe(`ghcr.io/org/p@${DIGEST}`);
  });
});

describe('rewriteToMirror', () => {
  const mirror = {
    upstream: { registry: 'ghcr.io/', namespace: '/mcpg-dev/' },
    host: 'm.ns.svc.cluster.local:5000',
  };
  it.each([
    {
      image: `ghcr.io/mcpg-dev/p/x:1@${DIGEST}`,
      prefix: undefined,
      expected: `m.ns.svc.cluster.local:5000/mcpg-dev/p/x:1@${DIGEST}`,
    },
    {
      image: 'ghcr.io/mcpg-dev/x:1',
      prefix: '/cache/',
      expected: 'm.ns.svc.cluster.local:5000/cache/mcpg-dev/x:1',
    },
    { image: 'ghcr.io/other/x:1', prefix: undefined, expected: undefined },
    { image: 'ghcr.io/mcpg-devx/x:1', prefix: undefined, expected: undefined },
  ])('rewrites $image (prefix $prefix)', ({ image, prefix, expected }) => {
    expect(rewriteToMirror(image, { ...mirror, pathPrefix: prefix })).toBe(expected);
  });
});
