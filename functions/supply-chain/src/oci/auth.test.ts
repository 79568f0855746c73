import { describe, expect, it } from 'vitest';
import { credentialsFor, parseChallenge, tokenUrl } from './auth.ts';

const config = (auths: Record<string, unknown>) => JSON.stringify({ auths });
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('credentialsFor', () => {
  it.each([
    {
      name: 'an exact host with auth',
      auths: { 'ghcr.io': { auth: b64('u:p:w') } },
      expected: { username: 'u', password: 'p:w' },
    },
    {
      name: 'username and password fields',
      auths: { 'ghcr.io': { username: 'a', password: 'b' } },
      expected: { username: 'a', password: 'b' },
    },
    {
      name: 'a URL key',
      auths: { 'https://ghcr.io/v1/': { auth: b64('x:y') } },
      expected: { username: 'x', password: 'y' },
    },
    { name: 'another host only', auths: { 'quay.io': { auth: b64('x:y') } }, expected: undefined },
    {
      name: 'only a longer host the registry name is a prefix of',
      auths: {
        'ghcr.iox': { auth: b64('x:y') },
        'https://ghcr.io.attacker.example/v1/': { auth: b64('x:y') },
      },
      expected: undefined,
    },
    {
      name: 'the host on another port only',
      auths: { 'ghcr.io:5000': { auth: b64('x:y') } },
      expected: undefined,
    },
    {
      name: 'the host in other case',
      auths: { 'GHCR.io': { auth: b64('x:y') } },
      expected: { username: 'x', password: 'y' },
    },
  ])('reads $name', ({ auths, expected }) => {
    expect(credentialsFor(config(auths), 'ghcr.io')).toEqual(expected);
  });

  it('names the problem with a document that is not JSON', () => {
    expect(() => credentialsFor('nope', 'ghcr.io')).toThrow(/not valid JSON/);
  });
});

describe('parseChallenge and tokenUrl', () => {
  it('parses a bearer challenge and asks its realm for the wanted scopes', () => {
    const challenge = parseChallenge(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"',
    );
    expect(challenge).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.example/token',
      service: 'registry.example',
      scope: 'repository:a:pull',
    });
    if (!challenge) throw new Error('no challenge parsed');
    const url = tokenUrl(challenge, ['repository:b:pull,push', 'repository:a:pull']);
    expect(url.searchParams.get('service')).toBe('registry.example');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:b:pull,push', 'repository:a:pull']);
  });

  it('recognises basic and ignores unknown schemes', () => {
    expect(parseChallenge('Basic realm="r"')).toMatchObject({ scheme: 'basic' });
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('credentialsFor Docker Hub', () => {
  it('reads the classic index key for references to docker.io images', () => {
    const auths = { 'https://index.docker.io/v1/': { auth: b64('hub:secret') } };
    expect(credentialsFor(config(auths), 'index.docker.io')).toEqual({ username: 'hub', password: 'secret' });
    expect(credentialsFor(config(auths), 'docker.io')).toEqual({ username: 'hub', password: 'secret' });
  });
});
