import { describe, expect, it } from 'vitest';
import { setConditions } from './lifecycle.ts';

describe('setConditions', () => {
  it('is Ready when every enabled entry resolved, disabled ones included in the total', () => {
    expect(setConditions({ resolved: 2, enabled: 2, total: 3, failed: [] })).toEqual([
      expect.objectContaining({ type: 'EntriesResolved', status: 'True', reason: 'Resolved' }),
      {
        type: 'Ready',
        status: 'True',
        reason: 'Resolved',
        message: '2/2 enabled entries resolved (3 in total)',
      },
    ]);
  });

  it('is not Ready while any entry fails, and names at most five of them', () => {
    const failed = Array.from({ length: 7 }, (_, i) => ({
      id: `dev.mcpg.p${i}`,
      reason: 'PluginNotFound',
      message: '',
    }));
    const [resolved, ready] = setConditions({ resolved: 1, enabled: 8, total: 8, failed });
    expect(resolved).toMatchObject({ type: 'EntriesResolved', status: 'False', reason: 'EntriesFailed' });
    expect(ready).toMatchObject({ type: 'Ready', status: 'False', reason: 'EntriesFailed' });
    expect(ready?.message).toContain('dev.mcpg.p4 (PluginNotFound) and 2 more; see status.failedEntries');
    expect(ready?.message).not.toContain('dev.mcpg.p5');
  });
});
