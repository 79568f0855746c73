import { describe, expect, it } from 'vitest';
import { targetVerdicts, type RunFigures } from '../../bench/h2h-targets.ts';

const run = (overrides: Partial<RunFigures> & Pick<RunFigures, 'system' | 'workload'>): RunFigures => ({
  count: 200,
  seconds: { deploymentsExist: 2.8, allAvailable: 47, allReady: 47.3 },
  operator: { readsNet: 1666, eventWrites: 396 },
  idle: { seconds: 10, writes: 0 },
  memoryMiB: { operator: { idle: 67 } },
  ...overrides,
});

const servers = run({ system: 'ours', workload: 'servers' });
const floor = run({
  system: 'floor',
  workload: 'floor',
  seconds: { deploymentsExist: 0.8, allAvailable: 46.5, allReady: 46.5 },
});
const gateways = run({ system: 'ours', workload: 'gateways', count: 100 });

const met = (results: RunFigures[], peer = 1.5) =>
  Object.fromEntries(targetVerdicts(results, peer).map((v) => [v.target, v.met]));

describe('the targets of a head-to-head run', () => {
  it('are all met by a run within every limit, each with its figure', () => {
    const verdicts = targetVerdicts([servers, floor, gateways], 1.5);
    expect(verdicts.every((v) => v.met === true)).toBe(true);
    expect(verdicts.map((v) => v.measured)).toEqual([
      '2.8 s',
      '1.017',
      '8.3',
      '1.98',
      '0',
      '67 MiB',
      '0',
      '67 MiB',
    ]);
  });

  it('fail the one figure beyond its limit and no other', () => {
    const slow = { ...servers, seconds: { ...servers.seconds, deploymentsExist: 3.1 } };
    const verdicts = met([slow, floor]);
    expect(
      Object.entries(verdicts)
        .filter(([, ok]) => !ok)
        .map(([target]) => target),
    ).toEqual(["servers: every Deployment within 3 s (2× the fastest peer's 1.5 s)"]);
    expect(
      met([slow, floor], 1.6)["servers: every Deployment within 3.2 s (2× the fastest peer's 1.6 s)"],
    ).toBe(true);
  });

  it('count per object: 2,001 reads for 200 servers is over 10 a server', () => {
    const reads = met([{ ...servers, operator: { readsNet: 2001, eventWrites: 400 } }]);
    expect(reads['servers: at most 10 reads per server']).toBe(false);
    expect(reads['servers: at most 2 Events per server']).toBe(true);
  });

  it('fail on a single quiet write or on memory over the budget, per workload', () => {
    const busy = met([
      servers,
      { ...gateways, idle: { seconds: 10, writes: 1 }, memoryMiB: { operator: { idle: 71 } } },
    ]);
    expect(busy['gateways: no writes in 10 s quiet']).toBe(false);
    expect(busy['gateways: function idle at most 70 MiB']).toBe(false);
    expect(busy['servers: no writes in 10 s quiet']).toBe(true);
  });

  it('say "not measured", never met, for a figure the run lacks', () => {
    const timedOut = { ...servers, seconds: { deploymentsExist: null, allAvailable: null, allReady: null } };
    const verdicts = met([timedOut]);
    expect(verdicts["servers: every Deployment within 3 s (2× the fastest peer's 1.5 s)"]).toBeNull();
    expect(verdicts["servers: Running within 1.1× the floor's all Available"]).toBeNull();
    expect(met([servers])["servers: Running within 1.1× the floor's all Available"]).toBeNull();
  });
});
