/**
 * `make demo KNATIVE=1`: on the stack `make knative-up` installed, docs/examples are applied as written while every
 * function is at zero pods. Shows the functions Knative starts for them, the fleet's status written by those
 * functions, and the functions going back to zero once nothing changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TENANT_OPT_IN_LABEL } from '../../functions/shared/src/api/index.ts';
import { TestBedError } from '../cluster/errors.ts';
import { waitFor } from '../cluster/wait.ts';
import { loadExamples } from '../fixtures/examples.ts';
import { runningBed } from './bed.ts';
import { awakeNow } from './functions.ts';
import { MCPG_NAMESPACE } from './mcpg.ts';

const bed = runningBed((line) => {
  console.error(line);
});
const say = (text: string) => {
  console.log(`\n== ${text}`);
};
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

/** Prints each function as Knative starts a pod for it, for `forSeconds`. */
async function showWaking(since: number, forSeconds: number): Promise<void> {
  const woken = new Set<string>();
  for (let tick = 0; tick < forSeconds; tick += 1) {
    const started = [...(await awakeNow(bed))].filter((fn) => !woken.has(fn));
    for (const fn of started) {
      woken.add(fn);
      console.log(`  mcpg-${fn} started ${seconds(since)} after the apply`);
    }
    await sleep(1_000);
  }
}

try {
  say('the functions, as Knative Services');
  console.log(await bed.kubectl('get', 'ksvc', '-n', MCPG_NAMESPACE));

  say('waiting for every function to be at zero pods (a resync ping wakes them all for about 90 s)');
  await waitFor(async () => ((await awakeNow(bed)).size === 0 ? true : undefined), {
    what: 'every function at zero pods',
    timeoutMs: 600_000,
    intervalMs: 2_000,
  });

  const examples = loadExamples();
  for (const namespace of new Set(examples.flatMap((m) => (m.metadata.namespace ? [m.metadata.namespace] : [])))) {
    await bed.kubectl('create', 'namespace', namespace).catch(() => '');
    // An administrator opts a namespace in before a tenant may hold it.
    await bed.kubectl('label', '--overwrite', 'namespace', namespace, `${TENANT_OPT_IN_LABEL}=true`);
  }
  const applied = Date.now();
  for (const manifest of examples) {
    // Refusals are part of the story (the example route waits until its gateway accepts the namespace).
    await bed.apply(JSON.stringify(manifest)).catch((error: unknown) => {
      const refusal = String(error instanceof Error ? error.message : error)
        .split('\n')
        .find((line) => line.startsWith('Error from server'));
      console.log(`  ${manifest.kind} ${manifest.metadata.name}: ${refusal ?? String(error)}`);
    });
  }
  say(`applied docs/examples (${examples.length} objects); the functions Knative starts for them:`);
  await showWaking(applied, 60);

  say('the fleet, as the functions report it');
  console.log(
    await bed.kubectl(
      'get',
      'mcpgservers,mcpggateways,mcpgroutes,mcpgpluginsets,mcpginstances,mcpgtenants,mcpgclusters,mcpgplugins',
      '--all-namespaces',
    ),
  );

  say('nothing changes now: the functions go back to zero');
  const quiet = Date.now();
  await waitFor(async () => ((await awakeNow(bed)).size === 0 ? true : undefined), {
    what: 'every function back at zero pods',
    timeoutMs: 600_000,
    intervalMs: 2_000,
  });
  console.log(`every function at zero pods ${seconds(quiet)} later`);
  console.log(await bed.kubectl('get', 'pods', '-n', MCPG_NAMESPACE));
  console.log(`\nuse it:   export KUBECONFIG=${bed.kubeconfig}\nstop it:  make cluster-down`);
} catch (error) {
  console.error(error instanceof TestBedError ? error.describe() : error);
  process.exit(1);
}
