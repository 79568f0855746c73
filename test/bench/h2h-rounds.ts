/**
 * Several rounds of the same head-to-head runs: a shared machine's pace drifts from one run to the next, so the
 * runs alternate within each round and the targets are judged on each system and workload's median run, while
 * every round's figure is printed beside it.
 */

/** What the rounds read of one run's result (h2h.ts's Result). */
export interface RoundFigures {
  system: string;
  workload: string;
  seconds: { deploymentsExist: number | null };
}

/** Seconds to every Deployment, with a run that never got there last. */
const toDeployments = (r: RoundFigures) => r.seconds.deploymentsExist ?? Number.POSITIVE_INFINITY;
const sameRun = (a: RoundFigures, b: RoundFigures) => a.system === b.system && a.workload === b.workload;

/** Each system and workload's runs, in the order they first ran. */
export function byRun<R extends RoundFigures>(all: readonly R[]): R[][] {
  const groups: R[][] = [];
  for (const result of all) {
    const group = groups.find(([first]) => first !== undefined && sameRun(first, result));
    if (group) group.push(result);
    else groups.push([result]);
  }
  return groups;
}

/** Each system and workload's median run by seconds to every Deployment (the lower middle of an even count). */
export function medianRuns<R extends RoundFigures>(all: readonly R[]): R[] {
  return byRun(all).map((group) => {
    const sorted = [...group].sort((a, b) => toDeployments(a) - toDeployments(b));
    return sorted[Math.floor((sorted.length - 1) / 2)] as R;
  });
}

/** The results round by round, `perRound` runs each, in the order they ran. */
export function roundsOf<R>(all: readonly R[], perRound: number): R[][] {
  return Array.from({ length: Math.ceil(all.length / perRound) }, (_, round) =>
    all.slice(round * perRound, (round + 1) * perRound),
  );
}

/**
 * One line per system and workload: its seconds to every Deployment round by round and, for the servers (the
 * workload the floor stands for), each over the floor's of the same round when every round has a floor run.
 */
export function spreads(all: readonly RoundFigures[]): string[] {
  const floorRuns = all.filter((r) => r.system === 'floor');
  return byRun(all).map((group) => {
    const [first] = group as [RoundFigures];
    const seconds = group.map((r) => r.seconds.deploymentsExist ?? 'not reached').join(', ');
    const overFloor =
      first.workload !== 'servers' || floorRuns.length !== group.length
        ? ''
        : `; over the same round's floor: ${group
            .map((r, round) => {
              const floorSeconds = floorRuns[round]?.seconds.deploymentsExist;
              return r.seconds.deploymentsExist !== null && floorSeconds
                ? (r.seconds.deploymentsExist / floorSeconds).toFixed(2)
                : '—';
            })
            .join(', ')}`;
    return `${first.system} ${first.workload}, seconds to every Deployment by round: ${seconds}${overFloor}`;
  });
}
