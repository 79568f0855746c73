/**
 * The performance targets one head-to-head run is judged by, each with what the run measured and whether it met
 * it: first Deployments within twice the fastest peer's time, servers Running within 10 % of the floor, at most
 * 10 reads and 2 Events per server, no writes while quiet (a resync included, for a resync-driven workload) and
 * at most 70 MiB resident per idle function. A target the run has no figure for (no floor run, a phase that
 * timed out) is reported as not measured, never as met.
 */

/** What the targets read of one run's result (h2h.ts's Result). */
export interface RunFigures {
  system: string;
  workload: string;
  count: number;
  seconds: { deploymentsExist: number | null; allReady: number | null; allAvailable: number | null };
  operator: { readsNet: number; eventWrites: number };
  idle: { seconds: number; writes: number };
  memoryMiB: { operator: { idle: number } };
}

export interface Verdict {
  target: string;
  measured: string;
  met: boolean | null;
}

export const LIMITS = {
  /** Deployments for the servers within this many times the fastest peer's. */
  deploymentsOverPeer: 2,
  runningOverFloor: 1.1,
  readsPerObject: 10,
  eventsPerObject: 2,
  idleMiB: 70,
};

const check = (target: string, value: number | null, limit: number, shown: (v: number) => string): Verdict =>
  value === null
    ? { target, measured: 'not measured', met: null }
    : { target, measured: shown(value), met: value <= limit };

const perObject = (n: number, run: RunFigures) => n / run.count;
const rounded = (digits: number) => (v: number) => v.toFixed(digits);

/**
 * The verdicts of one run. `fastestPeerDeployments`: the seconds the fastest peer operator took to create every
 * Deployment for the same workload on this kind of machine (1.5 s in the measurements that set the target).
 */
export function targetVerdicts(results: readonly RunFigures[], fastestPeerDeployments: number): Verdict[] {
  const ours = results.filter((r) => r.system === 'ours');
  const servers = ours.find((r) => r.workload === 'servers');
  const floor = results.find((r) => r.system === 'floor');
  const verdicts: Verdict[] = [];
  if (servers) {
    const limit = LIMITS.deploymentsOverPeer * fastestPeerDeployments;
    verdicts.push(
      check(
        `servers: every Deployment within ${limit} s (${LIMITS.deploymentsOverPeer}× the fastest peer's ${fastestPeerDeployments} s)`,
        servers.seconds.deploymentsExist,
        limit,
        (v) => `${v} s`,
      ),
      check(
        `servers: Running within ${LIMITS.runningOverFloor}× the floor's all Available`,
        servers.seconds.allReady !== null && floor?.seconds.allAvailable
          ? servers.seconds.allReady / floor.seconds.allAvailable
          : null,
        LIMITS.runningOverFloor,
        rounded(3),
      ),
      check(
        `servers: at most ${LIMITS.readsPerObject} reads per server`,
        perObject(servers.operator.readsNet, servers),
        LIMITS.readsPerObject,
        rounded(1),
      ),
      check(
        `servers: at most ${LIMITS.eventsPerObject} Events per server`,
        perObject(servers.operator.eventWrites, servers),
        LIMITS.eventsPerObject,
        rounded(2),
      ),
    );
  }
  for (const run of ours) {
    verdicts.push(
      check(`${run.workload}: no writes in ${run.idle.seconds} s quiet`, run.idle.writes, 0, String),
      check(
        `${run.workload}: function idle at most ${LIMITS.idleMiB} MiB`,
        run.memoryMiB.operator.idle || null,
        LIMITS.idleMiB,
        (v) => `${v} MiB`,
      ),
    );
  }
  return verdicts;
}
