import { describe, expect, it } from 'vitest';
import { medianRuns, roundsOf, spreads, type RoundFigures } from '../../bench/h2h-rounds.ts';

const run = (system: string, workload: string, deploymentsExist: number | null): RoundFigures => ({
  system,
  workload,
  seconds: { deploymentsExist },
});

/** Three rounds of ours and the floor, alternating as h2h.ts runs them. */
const rounds = [
  run('ours', 'servers', 5.2),
  run('floor', 'floor', 1.9),
  run('ours', 'servers', 3.7),
  run('floor', 'floor', 1.8),
  run('ours', 'servers', 4.4),
  run('floor', 'floor', 2.2),
];

describe('head-to-head rounds', () => {
  it('judge each system and workload by its median run, in the order they first ran', () => {
    const medians = medianRuns(rounds);
    expect(medians).toEqual([rounds[4], rounds[1]]);
  });

  it('take a run that never had every Deployment as the slowest, and the lower middle of an even count', () => {
    const ours = [run('ours', 'servers', null), run('ours', 'servers', 6), run('ours', 'servers', 3)];
    expect(medianRuns(ours)).toEqual([ours[1]]);
    expect(medianRuns(ours.slice(1))).toEqual([ours[2]]);
  });

  it("print each round's seconds, and an operator's over the same round's floor", () => {
    expect(spreads(rounds)).toEqual([
      "ours servers, seconds to every Deployment by round: 5.2, 3.7, 4.4; over the same round's floor: 2.74, 2.06, 2.00",
      'floor floor, seconds to every Deployment by round: 1.9, 1.8, 2.2',
    ]);
  });

  it('split the results into rounds in the order they ran', () => {
    expect(roundsOf(rounds, 2)).toEqual([rounds.slice(0, 2), rounds.slice(2, 4), rounds.slice(4)]);
  });

  it('compare only the servers with the floor, which stands for them, never the gateways', () => {
    const withGateways = [run('ours', 'servers', 4), run('floor', 'floor', 2), run('ours', 'gateways', 9)];
    expect(spreads(withGateways)).toEqual([
      "ours servers, seconds to every Deployment by round: 4; over the same round's floor: 2.00",
      'floor floor, seconds to every Deployment by round: 2',
      'ours gateways, seconds to every Deployment by round: 9',
    ]);
  });

  it('leave the floor ratio out when the rounds have no floor run each', () => {
    expect(spreads([run('ours', 'servers', 3), run('ours', 'servers', null)])).toEqual([
      'ours servers, seconds to every Deployment by round: 3, not reached',
    ]);
  });
});
