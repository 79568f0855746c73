import { describe, expect, it } from 'vitest';
import { realmProblem } from './token.ts';

const at = (base: string, registry: string, tokenHosts: string[] = ['auth.docker.io']) => ({
  registry,
  base: new URL(base),
  tokenHosts,
});

describe('where a registry may send the function for a token', () => {
  it.each([
    { name: 'its own origin', realm: 'https://ghcr.io/token', context: at('https://ghcr.io', 'ghcr.io') },
    {
      name: 'its own origin, insecure',
      realm: 'http://10.0.0.5:5000/token',
      context: at('http://10.0.0.5:5000', '10.0.0.5:5000'),
    },
    {
      name: 'HTTPS on its host, another port',
      realm: 'https://registry.example:8443/token',
      context: at('https://registry.example', 'registry.example'),
    },
    {
      name: 'an allowed token host',
      realm: 'https://auth.docker.io/token',
      context: at('https://index.docker.io', 'index.docker.io'),
    },
  ])('allows $name', ({ realm, context }) => {
    expect(realmProblem(new URL(realm), context)).toBeUndefined();
  });

  it.each([
    {
      name: 'plain HTTP elsewhere',
      realm: 'http://127.0.0.1:9/token',
      context: at('https://registry.example', 'registry.example'),
      problem: /not HTTPS/,
    },
    {
      name: 'plain HTTP on its own host, another port',
      realm: 'http://registry.example:8080/token',
      context: at('https://registry.example', 'registry.example'),
      problem: /not HTTPS/,
    },
    {
      name: 'another host',
      realm: 'https://tokens.attacker.example/token',
      context: at('https://registry.example', 'registry.example'),
      problem: /on tokens\.attacker\.example, neither the registry's host nor one the operator allows/,
    },
    {
      name: 'a host ending like the registry',
      realm: 'https://evil-registry.example/token',
      context: at('https://registry.example', 'registry.example'),
      problem: /neither/,
    },
  ])('refuses $name', ({ realm, context, problem }) => {
    expect(realmProblem(new URL(realm), context)).toMatch(problem);
  });
});
