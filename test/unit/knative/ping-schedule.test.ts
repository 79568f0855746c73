import { describe, expect, it } from 'vitest';
import { secondsToNextFiring } from '../../knative/functions.ts';

describe('when the next resync ping fires', () => {
  it('counts to the next multiple of the period in UTC minutes', () => {
    expect(secondsToNextFiring('*/5 * * * *', new Date('2026-12-07T01:02:30Z'))).toBe(150);
    expect(secondsToNextFiring('*/10 * * * *', new Date('2026-12-07T01:09:59Z'))).toBe(1);
  });

  it('at the very moment of a firing, waits a whole period for the next', () => {
    expect(secondsToNextFiring('*/5 * * * *', new Date('2026-12-07T01:05:00Z'))).toBe(300);
  });

  it('refuses a schedule it cannot reason about, naming it', () => {
    expect(() => secondsToNextFiring('0 3 * * *')).toThrow('"0 3 * * *"');
    expect(() => secondsToNextFiring('*/7 * * * *')).toThrow('N dividing 60');
  });
});
