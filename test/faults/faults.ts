/**
 * Fault injection on a real local control plane: each scenario breaks something under the server function
 * while servers change, and reports whether the fleet converged with nothing duplicated or orphaned, how long
 * it took and the API writes the function spent. Prints a table and writes test/bench/results/faults.json.
 * Exits 1 when a scenario did not converge.
 *
 *   node test/faults/faults.ts [scenario ...]   (default: all)
 */
import { runOnControlPlane } from '../cluster/script.ts';
import { report } from '../bench/report.ts';
import {
  adapterDown,
  apiServerRestart,
  etcdRestart,
  killedMidPass,
  stage,
  throttled,
  twoReplicas,
  type Outcome,
  type Stage,
} from './scenarios.ts';
import type { ControlPlaneState } from '../cluster/control-plane.ts';
import { registryCorrupts, registryHangs } from './registry.ts';

type Scenario = (
  stage: Stage,
  cluster: ControlPlaneState,
) => () => Promise<{ seconds: number; problems: string[] }>;

const SCENARIOS: Record<string, Scenario> = {
  'function SIGKILLed mid-pass, restarted': killedMidPass,
  'event adapter down 60 s while servers change': adapterDown,
  'API server restarted mid-burst': apiServerRestart,
  'etcd restarted': etcdRestart,
  'two replicas on one event stream': twoReplicas,
  '30 s storm of 429 with Retry-After': throttled,
  'registry stalls: takes connections, never answers': registryHangs,
  'registry corrupts blob bytes (digest mismatch)': registryCorrupts,
};

const chosen = process.argv.slice(2);
const outcomes: Outcome[] = [];
await runOnControlPlane('faults', async (bed) => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (chosen.length > 0 && !chosen.some((c) => name.includes(c))) continue;
    console.error(`[faults] ${name}`);
    outcomes.push(await stage(bed, name, (s) => scenario(s, bed.cluster)()));
  }
});
await report('faults', outcomes);
if (outcomes.some((o) => o.converged === 'no')) process.exitCode = 1;
