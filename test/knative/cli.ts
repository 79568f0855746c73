/**
 * `node test/knative/cli.ts install [part...]`: installs the named parts of the Knative stack (all of them, in
 * order, without names) on the running real-node bed.
 */
import { TestBedError } from '../cluster/errors.ts';
import { runningBed } from './bed.ts';
import { STACK_PARTS } from './parts.ts';

const [command, ...names] = process.argv.slice(2);
try {
  if (command !== 'install') throw new TestBedError('unknown command', { fix: 'usage: node test/knative/cli.ts install [part...]' });
  const unknown = names.filter((name) => !STACK_PARTS.some((part) => part.name === name));
  if (unknown.length) {
    throw new TestBedError(`unknown part ${unknown.join(', ')}`, {
      fix: `choose from ${STACK_PARTS.map((part) => part.name).join(', ')}`,
    });
  }
  const bed = runningBed();
  for (const part of STACK_PARTS.filter((p) => !names.length || names.includes(p.name))) {
    const started = Date.now();
    bed.say(`${part.name}: installing`);
    await part.install(bed);
    bed.say(`${part.name}: ready in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  }
} catch (error) {
  console.error(error instanceof TestBedError ? error.describe() : error);
  process.exit(1);
}
