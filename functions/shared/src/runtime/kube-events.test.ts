import { describe, expect, it } from 'vitest';
import { eventName } from './kube-events.ts';

describe('eventName', () => {
  it.each([
    { object: 'tools', want: 'tools.abc123' },
    { object: 'a'.repeat(250), want: `${'a'.repeat(246)}.abc123` },
    { object: `${'a'.repeat(245)}.-bbbbbbbbb`, want: `${'a'.repeat(245)}.abc123` },
  ])(
    'keeps the suffix and stays a valid name of at most 253 characters ($object.length)',
    ({ object, want }) => {
      const name = eventName(object, 'abc123');
      expect(name).toBe(want);
      expect(name.length).toBeLessThanOrEqual(253);
    },
  );
});
