import { describe, expect, it } from 'vitest';
import { subjectPattern } from './identity-pattern.ts';

const matches = (pattern: string, subject: string) => {
  const compiled = subjectPattern(pattern);
  if ('problem' in compiled) throw new Error(compiled.problem);
  return compiled.matches(subject);
};

describe('certificate identity patterns', () => {
  it.each([
    {
      pattern: '^https://github\\.com/mcpg-dev/.*$',
      subject: 'https://github.com/mcpg-dev/tools/x',
      expected: true,
    },
    {
      pattern: '^https://github\\.com/mcpg-dev/.*$',
      subject: 'https://github.com/other/tools',
      expected: false,
    },
    { pattern: '^release@acme\\.com|ci@acme\\.com$', subject: 'release@acme.com', expected: true },
    { pattern: '^release@acme\\.com|ci@acme\\.com$', subject: 'ci@acme.com', expected: true },
    {
      pattern: '^release@acme\\.com|ci@acme\\.com$',
      subject: 'release@acme.com.attacker.example',
      expected: false,
    },
    {
      pattern: '^release@acme\\.com|ci@acme\\.com$',
      subject: 'attacker.example/ci@acme.com',
      expected: false,
    },
  ])('$pattern on $subject: $expected', ({ pattern, subject, expected }) => {
    expect(matches(pattern, subject)).toBe(expected);
  });

  it('answers a catastrophic pattern on a long subject at once (linear-time matching)', () => {
    // Backtracking engines take exponential time here; this completes within the test's default timeout.
    expect(matches('^(a+)+$', `${'a'.repeat(5000)}!`)).toBe(false);
    expect(matches('^(a|aa)+$', 'a'.repeat(5000))).toBe(true);
  });

  it('refuses syntax RE2 does not have, and says so', () => {
    expect(subjectPattern('^(?=a)a$')).toMatchObject({
      problem: expect.stringMatching(/not an RE2 expression/) as unknown,
    });
    expect(subjectPattern('^(a)\\1$')).toMatchObject({
      problem: expect.stringMatching(/not an RE2 expression/) as unknown,
    });
  });
});
